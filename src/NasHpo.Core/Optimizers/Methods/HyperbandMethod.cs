using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Samplers;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>Hyperband (paper 000's baseline): random configurations, successive halving between the budgets.</summary>
internal sealed class HyperbandMethod : OptimizerMethod
{
    public override string Name => "hyperband";

    public override bool PromotesAlongRungs => true;

    public override IOptimizer Create(OptimizerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new HyperbandOptimizer(context.Space, RandomSampler.Instance, context.Budgets, context.Seed, context.ReferencePoint);
    }
}
