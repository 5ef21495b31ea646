using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Samplers;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>Random search: every configuration drawn uniformly and run at the maximum budget (one rung).</summary>
internal sealed class RandomSearchMethod : OptimizerMethod
{
    public override string Name => "random";

    public override IOptimizer Create(OptimizerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new HyperbandOptimizer(context.Space, RandomSampler.Instance, context.Budgets with { MinBudget = context.Budgets.MaxBudget }, context.Seed);
    }
}
