using NasHpo.Core.Optimizers.Registry;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>
/// MS-EHVI (paper 001, B.3): every configuration at the maximum budget, one per bracket (Hyperband's bracket limit
/// bounds their number), chosen by expected hypervolume improvement; cheap objectives are computed, not modelled.
/// </summary>
internal sealed class MsEhviMethod : OptimizerMethod
{
    public override string Name => "ms-ehvi";

    public override IOptimizer Create(OptimizerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new MsEhviOptimizer(
            context.Space,
            new MsEhviSettings
            {
                MaxBudget = context.Budgets.MaxBudget,
                MaxConfigurations = context.Budgets.MaxBrackets,
                ReferencePoint = context.ReferencePoint,
                Objectives = context.Objectives,
                CheapObjectives = context.CheapObjectives,
            },
            context.Seed);
    }
}
