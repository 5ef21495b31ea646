using NasHpo.Core.Optimizers.Registry;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>
/// MS-EHVI's settings a study states (<c>study.optimizer</c>): how many random configurations come before the first
/// model-based one (<c>initial-configurations</c>; null: <see cref="MsEhviOptimizer.DefaultDesign"/>, the paper's
/// max(2·d + 1, 10) capped at a third of the study's limits). Paper 001's reference code set it per problem (50 on
/// Flowers, 10 on Fashion-MNIST); a stated value is taken as it is.
/// </summary>
internal sealed record MsEhviOptions(int? InitialConfigurations);

/// <summary>
/// MS-EHVI (paper 001, B.3): every configuration at the maximum budget, one per bracket (Hyperband's bracket limit
/// bounds their number), chosen by expected hypervolume improvement; cheap objectives are computed, not modelled.
/// </summary>
internal sealed class MsEhviMethod : OptimizerMethod<MsEhviOptions>
{
    public override string Name => "ms-ehvi";

    public override IReadOnlyList<string> Keys { get; } = ["initial-configurations"];

    public override MsEhviOptions Defaults { get; } = new(InitialConfigurations: null);

    protected override MsEhviOptions Read(IOptimizerSettingsReader reader, MsEhviOptions defaults) =>
        reader.Has("initial-configurations")
            ? new MsEhviOptions((int)reader.ReadInteger("initial-configurations", 0, minimum: 1, maximum: int.MaxValue))
            : defaults;

    protected override IOptimizer Create(OptimizerContext context, MsEhviOptions settings)
    {
        var (count, wallClock) = settings.InitialConfigurations is { } stated
            ? (stated, null)
            : MsEhviOptimizer.DefaultDesign(context.Space.Dimension, context.Limits, context.Budgets.MaxBudget);
        return new MsEhviOptimizer(
            context.Space,
            new MsEhviSettings
            {
                MaxBudget = context.Budgets.MaxBudget,
                MaxConfigurations = context.Budgets.MaxBrackets,
                ReferencePoint = context.ReferencePoint,
                Objectives = context.Objectives,
                CheapObjectives = context.CheapObjectives,
                InitialConfigurations = count,
                DesignWallClock = wallClock,
                Elapsed = context.Elapsed,
            },
            context.Seed);
    }
}
