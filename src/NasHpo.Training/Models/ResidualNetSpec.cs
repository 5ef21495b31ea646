using System.Globalization;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Training.Models;

/// <summary>One stage of the residual network: its blocks, the parallel branches of each block, its widening factor.</summary>
internal sealed record ResidualStageSpec(int Blocks, int Branches, double Widen);

/// <summary>
/// The multi-branch residual configuration of the BOHB joint NAS + HPO paper (Zela et al., 2018), read from a
/// <see cref="Configuration"/> with the parameter names of hocon/spaces/bohb-resnet-000.conf.
/// </summary>
internal sealed record ResidualNetSpec(
    int InitialFilters,
    IReadOnlyList<ResidualStageSpec> Stages,
    double LearningRate,
    int BatchSize,
    double WeightDecay,
    double Momentum,
    double ShakeShakeAlpha,
    int CutoutLength,
    double ShakeDropDeathRate)
{
    public const int StageCount = 3;

    public static ResidualNetSpec FromConfiguration(Core.SearchSpaces.Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var stages = Enumerable.Range(1, StageCount)
            .Select(i => new ResidualStageSpec(
                configuration.GetInt32($"blocks_{i}"),
                configuration.GetInt32($"branches_{i}"),
                configuration.GetDouble($"widen_{i}")))
            .ToArray();
        var spec = new ResidualNetSpec(
            configuration.GetInt32("initial_filters"),
            stages,
            configuration.GetDouble("learning_rate"),
            configuration.GetInt32("batch_size"),
            configuration.GetDouble("weight_decay"),
            configuration.GetDouble("momentum"),
            configuration.GetDouble("shake_shake_alpha"),
            configuration.GetInt32("cutout_length"),
            configuration.GetDouble("shakedrop_death_rate"));
        spec.Validate();
        return spec;
    }

    /// <summary>
    /// Filters of each stage: round(initial_filters x widen_1 x ... x widen_s), half away from zero. Cumulative, so
    /// that widen_2 and widen_3 say how much a stage grows over the one before (a ResNet doubles at each
    /// downsampling: widen 2), rather than restarting from the stem's width.
    /// </summary>
    public IReadOnlyList<int> StageWidths
    {
        get
        {
            var widths = new int[Stages.Count];
            var width = (double)InitialFilters;
            for (var s = 0; s < Stages.Count; s++)
            {
                width *= Stages[s].Widen;
                widths[s] = (int)Math.Min(int.MaxValue, Math.Round(width, MidpointRounding.AwayFromZero));
            }

            return widths;
        }
    }

    /// <summary>Residual blocks of all stages together: the depth ShakeDrop's linear death rate runs over.</summary>
    public int TotalBlocks => Stages.Sum(s => s.Blocks);

    public void Validate()
    {
        if (Stages.Count != StageCount)
        {
            throw new InvalidArchitectureException($"the residual network has {StageCount} stages, not {Stages.Count}");
        }

        if (InitialFilters < 1)
        {
            throw new InvalidArchitectureException($"initial_filters must be at least 1, not {InitialFilters}");
        }

        for (var s = 0; s < Stages.Count; s++)
        {
            var stage = Stages[s];
            if (stage.Blocks < 1 || stage.Branches < 1)
            {
                throw new InvalidArchitectureException($"stage {s + 1} needs at least one block of at least one branch, not {stage.Blocks} block(s) of {stage.Branches} branch(es)");
            }

            if (!(stage.Widen > 0) || !double.IsFinite(stage.Widen))
            {
                throw new InvalidArchitectureException($"widen_{s + 1} must be positive and finite, not {Format(stage.Widen)}");
            }
        }

        var widths = StageWidths;
        for (var s = 0; s < widths.Count; s++)
        {
            if (widths[s] < 1)
            {
                var factors = string.Join(" x ", Stages.Take(s + 1).Select(stage => Format(stage.Widen)));
                throw new InvalidArchitectureException(
                    $"stage {s + 1} would have no filters: initial_filters {InitialFilters} x {factors} rounds to {widths[s]}");
            }
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new InvalidArchitectureException($"the learning rate must be positive and finite, not {Format(LearningRate)}");
        }

        if (BatchSize < 1)
        {
            throw new InvalidArchitectureException($"the batch size must be at least 1, not {BatchSize}");
        }

        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
        {
            throw new InvalidArchitectureException($"the weight decay must be zero or positive and finite, not {Format(WeightDecay)}");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new InvalidArchitectureException($"the momentum must lie in [0, 1), not {Format(Momentum)}");
        }

        if (!(ShakeShakeAlpha >= 0 && ShakeShakeAlpha <= 1))
        {
            throw new InvalidArchitectureException($"shake_shake_alpha must lie in [0, 1], not {Format(ShakeShakeAlpha)}");
        }

        if (CutoutLength < 0)
        {
            throw new InvalidArchitectureException($"the cutout length must be 0 (off) or positive, not {CutoutLength}");
        }

        if (!(ShakeDropDeathRate >= 0 && ShakeDropDeathRate <= 1))
        {
            throw new InvalidArchitectureException($"shakedrop_death_rate must lie in [0, 1], not {Format(ShakeDropDeathRate)}");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
