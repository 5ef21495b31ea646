using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>A small mixed space with two conflicting objectives, for the optimizers' bookkeeping tests.</summary>
internal static class ToyProblem
{
    public static readonly SearchSpace Space = SearchSpace.Create(
    [
        new FloatParameter("x", 0, 1),
        new FloatParameter("y", 0, 1),
        new CategoricalParameter("kind", ["a", "b", "c"]),
    ]);

    public static double[] Objectives(TrialRequest request)
    {
        var c = request.Configuration;
        var penalty = c.GetString("kind") == "b" ? 0.0 : 0.2;

        // Lower budgets see a shifted, budget-dependent version of the truth, as a short training run would.
        var noise = 0.05 / request.Id.Budget;
        return [c.GetDouble("x") + penalty + noise, 1 - c.GetDouble("x") + (c.GetDouble("y") * c.GetDouble("y")) + noise];
    }

    public static TrialResult Evaluate(TrialRequest request) => TrialResult.Completed(request.Id, Objectives(request));
}
