using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>The optimizers a study can name in <c>study.optimizer.type</c>.</summary>
public static class OptimizerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["random", "hyperband", "bohb", "mo-bohb", "sh-emoa", "ms-ehvi", "bulk-and-cut", "mo-bananas"];

    /// <summary>
    /// Whether the method moves configurations up successive-halving rungs, so that
    /// <see cref="HyperbandSettings.Promotion"/> can make it asynchronous: every <see cref="HyperbandOptimizer"/>
    /// with more than one rung. Random search has one rung, SH-EMOA promotes whole generations and MS-EHVI runs
    /// the maximum budget only.
    /// </summary>
    public static bool PromotesAlongRungs(string name) => name is not ("random" or "sh-emoa" or "ms-ehvi" or "bulk-and-cut");

    /// <summary>
    /// Builds an optimizer by name. Random search evaluates every configuration at the maximum budget; the others
    /// run Hyperband between the minimum and maximum budget with their own sampler, except SH-EMOA, which evolves a
    /// population in successive-halving steps between the same budgets (with its default settings), and MS-EHVI,
    /// which runs every configuration at the maximum budget (one per bracket, <see cref="HyperbandSettings.MaxBrackets"/>
    /// bounding their number) and uses the reference point, the objectives and the cheap-objective callback when given.
    /// BULK &amp; CUT needs <paramref name="bulkAndCut"/> (its phases are shares of the study's limits); the reference point,
    /// objectives and cheap-objective callback given here fill in what those settings leave unset.
    /// MO-BANANAS runs Hyperband with its neural-ensemble sampler, so it promotes as the other Hyperband methods do.
    /// Settings left null take each method's defaults.
    /// </summary>
    public static IOptimizer Create(
        string name,
        SearchSpace space,
        HyperbandSettings settings,
        long seed,
        TreeParzenSettings? samplerSettings = null,
        IReadOnlyList<double>? referencePoint = null,
        IReadOnlyList<Objective>? objectives = null,
        Func<Configuration, double[]>? cheapObjectives = null,
        BulkAndCutSettings? bulkAndCut = null,
        ShEmoaSettings? shEmoaSettings = null,
        MoBananasSettings? moBananasSettings = null) =>
        name switch
        {
            "random" => new HyperbandOptimizer(space, RandomSampler.Instance, settings with { MinBudget = settings.MaxBudget }, seed),
            "hyperband" => new HyperbandOptimizer(space, RandomSampler.Instance, settings, seed),
            "bohb" => new HyperbandOptimizer(space, TreeParzenSampler.Bohb(samplerSettings, settings.PromotionObjective ?? 0), settings with { PromotionObjective = settings.PromotionObjective ?? 0 }, seed),
            "mo-bohb" => new HyperbandOptimizer(space, TreeParzenSampler.MoBohb(samplerSettings), settings, seed),
            "sh-emoa" => new ShEmoaOptimizer(space, settings, shEmoaSettings ?? new ShEmoaSettings(), seed, referencePoint),
            "ms-ehvi" => new MsEhviOptimizer(
                space,
                new MsEhviSettings
                {
                    MaxBudget = settings.MaxBudget,
                    MaxConfigurations = settings.MaxBrackets,
                    ReferencePoint = referencePoint,
                    Objectives = objectives,
                    CheapObjectives = cheapObjectives,
                },
                seed),
            "bulk-and-cut" => new BulkAndCutOptimizer(
                space,
                (bulkAndCut ?? throw new ArgumentException("bulk-and-cut needs its settings: the study's evaluation or wall-clock limit divides its phases", nameof(bulkAndCut))) with
                {
                    ReferencePoint = bulkAndCut.ReferencePoint ?? referencePoint,
                    Objectives = bulkAndCut.Objectives ?? objectives,
                    CheapObjectives = bulkAndCut.CheapObjectives ?? cheapObjectives,
                },
                seed),
            "mo-bananas" => new HyperbandOptimizer(space, new MoBananasSampler(moBananasSettings ?? new MoBananasSettings(), seed, referencePoint), settings, seed),
            _ => throw new ArgumentException($"unknown optimizer \"{name}\" (expected one of: {string.Join(", ", Names)})", nameof(name)),
        };
}
