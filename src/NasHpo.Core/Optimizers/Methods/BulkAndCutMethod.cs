using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>
/// BULK &amp; CUT's settings a study states (<c>study.optimizer</c>): the shares of the study's limit for
/// initialisation, bulk-up and cut-down (<c>phase-shares</c>), ε of Paretslon-greedy parent selection
/// (<c>epsilon</c>), and the parameters constrained BO chooses (<c>hyperparameters</c>; null:
/// <see cref="ArchitectureMorphisms.DefaultHyperparameters"/>, in a network space every parameter that is not a
/// Table 2 architecture name, elsewhere none, so that the morphisms' steps move every variable), and whether a
/// configuration may be scheduled twice (<c>distinct-configurations</c>, default true; false is paper 001's rule).
/// </summary>
internal sealed record BulkAndCutOptions(IReadOnlyList<double> PhaseShares, double Epsilon, IReadOnlyList<string>? Hyperparameters, bool DistinctConfigurations = true);

/// <summary>
/// BULK &amp; CUT (paper 001, §3.5): every trial at the maximum budget, its phases shares of the study's evaluation
/// or wall-clock limit. A synthetic problem's distance variables are not handed to it: no other method knows which
/// variables leave the true front.
/// </summary>
internal sealed class BulkAndCutMethod : OptimizerMethod<BulkAndCutOptions>
{
    public override string Name => "bulk-and-cut";

    public override IReadOnlyList<string> Keys { get; } = ["phase-shares", "epsilon", "hyperparameters", "distinct-configurations"];

    public override BulkAndCutOptions Defaults { get; } = new([0.35, 0.40, 0.25], 0.15, null);

    protected override BulkAndCutOptions Read(IOptimizerSettingsReader reader, BulkAndCutOptions defaults)
    {
        var shares = defaults.PhaseShares;
        if (reader.Has("phase-shares"))
        {
            shares = reader.ReadNumbers("phase-shares");
            if (shares.Count != 3 || shares.Any(s => s is < 0 or > 1) || Math.Abs(shares.Sum() - 1) > 1e-9)
            {
                throw reader.Invalid(
                    "phase-shares",
                    $"[{string.Join(", ", shares.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}] must be three shares in [0, 1] (initialisation, bulk-up, cut-down) that sum to 1");
            }
        }

        return new BulkAndCutOptions(
            shares,
            reader.ReadDouble("epsilon", defaults.Epsilon, minimum: 0, maximum: 1),
            reader.Has("hyperparameters") ? reader.ReadNames("hyperparameters") : defaults.Hyperparameters,
            reader.ReadBoolean("distinct-configurations", defaults.DistinctConfigurations));
    }

    public override IEnumerable<(string Key, string Problem)> Check(object? settings, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var hyperparameters = (settings as BulkAndCutOptions)?.Hyperparameters ?? [];
        for (var i = 0; i < hyperparameters.Count; i++)
        {
            if (space.IndexOf(hyperparameters[i]) < 0)
            {
                yield return ($"hyperparameters[{i}]", $"\"{hyperparameters[i]}\" is not a parameter of the search space");
            }
        }
    }

    protected override IOptimizer Create(OptimizerContext context, BulkAndCutOptions settings) =>
        new BulkAndCutOptimizer(
            context.Space,
            new BulkAndCutSettings
            {
                Budget = context.Budgets.MaxBudget,
                MaxEvaluations = EvaluationLimit(context),
                MaxWallClock = context.Limits.MaxWallClock,
                Elapsed = context.Elapsed,
                PhaseShares = settings.PhaseShares,
                Epsilon = settings.Epsilon,
                Hyperparameters = settings.Hyperparameters,
                DistinctConfigurations = settings.DistinctConfigurations,
                ReferencePoint = context.ReferencePoint,
                Objectives = context.Objectives,
                CheapObjectives = context.CheapObjectives,
            },
            context.Seed);

    /// <summary>
    /// Every trial runs at the maximum budget and is charged the whole of it (a child trains for the budget again),
    /// so a budget limit is an evaluation limit for the phases.
    /// </summary>
    private static long? EvaluationLimit(OptimizerContext context)
    {
        var limits = context.Limits;
        long? byBudget = limits.MaxBudgetSpent is { } budget ? (long)Math.Ceiling(budget / context.Budgets.MaxBudget) : null;
        return limits.MaxEvaluations is { } evaluations ? Math.Min(evaluations, byBudget ?? long.MaxValue) : byBudget;
    }
}
