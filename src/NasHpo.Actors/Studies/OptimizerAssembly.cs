using NasHpo.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// Builds a study's optimizer from its definition, as the sampler needs it: told results in the journal's recorded
/// form and deciding in minimisation space, where the study's log-scale objectives are log10 values (the reference
/// point and the cheap objectives included).
/// </summary>
internal static class OptimizerAssembly
{
    /// <summary>
    /// Makes a fresh optimizer each time it is called: the sampler calls it on its own thread, at its start and at
    /// every restart, so everything it needs is captured now.
    /// </summary>
    public static Func<IOptimizer> Factory(StudyDefinition definition, StudyCreated created, IWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(created);
        var objectives = definition.ObjectiveSpace;
        var seed = created.Seed;
        var referencePoint = objectives.FromRecorded(created.ReferencePoint);
        var cheapObjectives = CheapObjectives(definition, workload);
        var bulkAndCut = BulkAndCutSettingsOf(definition, created.CreatedAt);
        return () => RecordedResultsOptimizer.Wrap(
            OptimizerFactory.Create(
                definition.Optimizer.Type,
                definition.Space,
                new HyperbandSettings
                {
                    MinBudget = definition.Optimizer.MinBudget,
                    MaxBudget = definition.Optimizer.MaxBudget,
                    Eta = definition.Optimizer.Eta,
                    MaxOpenBrackets = definition.Optimizer.MaxOpenBrackets,
                    Promotion = definition.Optimizer.Promotion,
                },
                seed,
                definition.Optimizer.Sampler,
                referencePoint,
                definition.Objectives,
                cheapObjectives,
                bulkAndCut,
                definition.Optimizer.ShEmoa,
                definition.Optimizer.MoBananas),
            objectives);
    }

    /// <summary>
    /// BULK &amp; CUT's settings. Constrained BO chooses the parameters the study names in
    /// <c>optimizer.hyperparameters</c>, else <see cref="ArchitectureMorphisms.DefaultHyperparameters"/> (in a network
    /// space every parameter that is not a Table 2 architecture name; elsewhere, synthetic problems included, none, so
    /// that the morphisms' steps move every variable). A synthetic problem's distance variables are not handed over:
    /// no other method knows which variables leave the true front.
    /// </summary>
    private static BulkAndCutSettings? BulkAndCutSettingsOf(StudyDefinition definition, DateTimeOffset createdAt) =>
        definition.Optimizer.BulkAndCut is not { } bulkAndCut
            ? null
            : new BulkAndCutSettings
            {
                Budget = definition.Optimizer.MaxBudget,
                MaxEvaluations = EvaluationLimit(definition),
                MaxWallClock = definition.Stop.MaxWallClock,
                Elapsed = () => DateTimeOffset.UtcNow - createdAt,
                PhaseShares = bulkAndCut.PhaseShares,
                Epsilon = bulkAndCut.Epsilon,
                Hyperparameters = bulkAndCut.Hyperparameters,
            };

    /// <summary>
    /// BULK &amp; CUT runs every trial at the maximum budget and charges each the whole of it (a child trains for the
    /// budget again), so a budget limit is an evaluation limit for its phases.
    /// </summary>
    private static long? EvaluationLimit(StudyDefinition definition)
    {
        long? byBudget = definition.Stop.MaxBudgetSpent is { } budget ? (long)Math.Ceiling(budget / definition.Optimizer.MaxBudget) : null;
        return definition.Stop.MaxEvaluations is { } evaluations ? Math.Min(evaluations, byBudget ?? long.MaxValue) : byBudget;
    }

    /// <summary>
    /// The cheap objectives of a configuration in minimisation space (NaN for the expensive ones, and for a value a
    /// log scale cannot take), when the workload can compute them without training; optimizers such as MS-EHVI use
    /// them instead of a model.
    /// </summary>
    private static Func<NasHpo.Core.SearchSpaces.Configuration, double[]>? CheapObjectives(StudyDefinition definition, IWorkload workload)
    {
        var objectives = definition.Objectives;
        var cheapNames = objectives.Where(o => o.Cost == ObjectiveCost.Cheap).Select(o => o.Name).ToArray();
        if (workload is not ICheapObjectives cheap || cheapNames.Length == 0)
        {
            return null;
        }

        return configuration =>
        {
            var values = cheap.EvaluateCheap(configuration, cheapNames);
            return objectives.Select(o => o.Cost == ObjectiveCost.Cheap && values.TryGetValue(o.Name, out var value) ? o.ToMinimization(value) : double.NaN).ToArray();
        };
    }
}
