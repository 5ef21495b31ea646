using NasHpo.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
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
        var createdAt = created.CreatedAt;
        var context = new OptimizerContext(
            definition.Space,
            new HyperbandSettings
            {
                MinBudget = definition.Optimizer.MinBudget,
                MaxBudget = definition.Optimizer.MaxBudget,
                Eta = definition.Optimizer.Eta,
                MaxOpenBrackets = definition.Optimizer.MaxOpenBrackets,
                Promotion = definition.Optimizer.Promotion,
                Ranking = definition.Optimizer.Ranking,
            },
            created.Seed)
        {
            Settings = definition.Optimizer.Settings,
            ReferencePoint = objectives.FromRecorded(created.ReferencePoint),
            Objectives = definition.Objectives,
            CheapObjectives = CheapObjectives(definition, workload),
            Limits = new OptimizerLimits(definition.Stop.MaxEvaluations, definition.Stop.MaxWallClock, definition.Stop.MaxBudgetSpent),
            Elapsed = () => DateTimeOffset.UtcNow - createdAt,
        };
        var method = definition.Optimizer.Method;
        return () => RecordedResultsOptimizer.Wrap(method.Create(context), objectives);
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
