using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Samplers;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>MO-BANANAS (paper 001, B.4): Hyperband whose proposals come from a neural-predictor ensemble.</summary>
internal sealed class MoBananasMethod : OptimizerMethod<MoBananasSettings>
{
    public override string Name => "mo-bananas";

    public override IReadOnlyList<string> Keys { get; } =
    [
        "ensemble-size", "parents", "candidates", "mutation-stddev", "random-fraction", "min-points-in-model",
        "predictor-layers", "predictor-units", "predictor-epochs", "predictor-batch-size", "predictor-learning-rate",
    ];

    public override bool PromotesAlongRungs => true;

    public override MoBananasSettings Defaults => new();

    protected override MoBananasSettings Read(IOptimizerSettingsReader reader, MoBananasSettings defaults) => defaults with
    {
        EnsembleSize = (int)reader.ReadInteger("ensemble-size", defaults.EnsembleSize, minimum: 1, maximum: 100),
        Parents = (int)reader.ReadInteger("parents", defaults.Parents, minimum: 1, maximum: int.MaxValue),
        Candidates = (int)reader.ReadInteger("candidates", defaults.Candidates, minimum: 1, maximum: 1_000_000),
        MutationStdDev = reader.ReadDouble("mutation-stddev", defaults.MutationStdDev, minimum: 1e-9, maximum: 1),
        RandomFraction = reader.ReadDouble("random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
        MinPointsInModel = reader.Has("min-points-in-model") ? (int)reader.ReadInteger("min-points-in-model", 0, minimum: 2, maximum: int.MaxValue) : null,
        Predictor = defaults.Predictor with
        {
            HiddenLayers = (int)reader.ReadInteger("predictor-layers", defaults.Predictor.HiddenLayers, minimum: 1, maximum: 100),
            HiddenUnits = (int)reader.ReadInteger("predictor-units", defaults.Predictor.HiddenUnits, minimum: 1, maximum: 10_000),
            Epochs = (int)reader.ReadInteger("predictor-epochs", defaults.Predictor.Epochs, minimum: 1, maximum: 1_000_000),
            BatchSize = (int)reader.ReadInteger("predictor-batch-size", defaults.Predictor.BatchSize, minimum: 1, maximum: int.MaxValue),
            LearningRate = reader.ReadDouble("predictor-learning-rate", defaults.Predictor.LearningRate, minimum: 1e-12, maximum: 10),
        },
    };

    protected override IOptimizer Create(OptimizerContext context, MoBananasSettings settings) =>
        new HyperbandOptimizer(context.Space, new MoBananasSampler(settings, context.Seed, context.ReferencePoint), context.Budgets, context.Seed, context.ReferencePoint);
}
