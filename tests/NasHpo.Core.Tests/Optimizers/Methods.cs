using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>A built-in method by name, as a study would build it, with what the tests vary.</summary>
internal static class Methods
{
    public static IOptimizer Create(
        string name,
        SearchSpace space,
        HyperbandSettings budgets,
        long seed,
        IReadOnlyList<double>? referencePoint = null,
        IReadOnlyList<Objective>? objectives = null,
        OptimizerLimits? limits = null) =>
        OptimizerRegistry.BuiltIn.Create(name, new OptimizerContext(space, budgets, seed)
        {
            ReferencePoint = referencePoint,
            Objectives = objectives,
            Limits = limits ?? OptimizerLimits.None,
        });
}
