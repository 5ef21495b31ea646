using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Samplers;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>The Hyperband methods whose proposals come from a tree Parzen estimator; they share its keys.</summary>
internal abstract class TreeParzenMethod : OptimizerMethod<TreeParzenSettings>
{
    public override IReadOnlyList<string> Keys { get; } = ["random-fraction", "good-fraction", "candidates", "bandwidth-factor", "min-points-in-model", "early-model-points"];

    public override bool PromotesAlongRungs => true;

    protected override TreeParzenSettings Read(IOptimizerSettingsReader reader, TreeParzenSettings defaults) => defaults with
    {
        RandomFraction = reader.ReadDouble("random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
        GoodFraction = reader.ReadDouble("good-fraction", defaults.GoodFraction, minimum: 1e-9, maximum: 1 - 1e-9),
        Candidates = (int)reader.ReadInteger("candidates", defaults.Candidates, minimum: 1, maximum: 1_000_000),
        BandwidthFactor = reader.ReadDouble("bandwidth-factor", defaults.BandwidthFactor, minimum: 1e-9),
        MinPointsInModel = reader.Has("min-points-in-model") ? (int)reader.ReadInteger("min-points-in-model", 0, minimum: 1, maximum: int.MaxValue) : null,
        EarlyModelPoints = reader.Has("early-model-points") ? (int)reader.ReadInteger("early-model-points", 0, minimum: 0, maximum: int.MaxValue) : null,
    };
}

/// <summary>BOHB (paper 000): Hyperband with a tree Parzen estimator on the first objective (or the promotion objective).</summary>
internal sealed class BohbMethod : TreeParzenMethod
{
    public override string Name => "bohb";

    public override TreeParzenSettings Defaults => TreeParzenSampler.Bohb().Settings;

    protected override IOptimizer Create(OptimizerContext context, TreeParzenSettings settings)
    {
        var objective = context.Budgets.PromotionObjective ?? 0;
        return new HyperbandOptimizer(context.Space, TreeParzenSampler.Bohb(settings, objective), context.Budgets with { PromotionObjective = objective }, context.Seed);
    }
}

/// <summary>MO-BOHB (paper 001, B.2): Hyperband with a tree Parzen estimator whose good/bad split is multi-objective.</summary>
internal sealed class MoBohbMethod : TreeParzenMethod
{
    public override string Name => "mo-bohb";

    public override TreeParzenSettings Defaults => TreeParzenSampler.MoBohb().Settings;

    protected override IOptimizer Create(OptimizerContext context, TreeParzenSettings settings) =>
        new HyperbandOptimizer(context.Space, TreeParzenSampler.MoBohb(settings), context.Budgets, context.Seed, context.ReferencePoint);
}
