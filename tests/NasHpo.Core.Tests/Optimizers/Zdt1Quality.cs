using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>The yardstick of the search-quality tests: 10-D ZDT1, 200 evaluations, 5 seeds, reference (1.1, 11).</summary>
internal static class Zdt1Quality
{
    public static readonly SyntheticProblem Zdt1 = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(10));

    /// <summary>The hypervolume a study reports after the evaluations: the front of those at the maximum budget.</summary>
    public static double FinalHypervolume(string optimizer, double minBudget, double maxBudget, long seed, int evaluations, PromotionMode promotion = PromotionMode.Synchronous)
    {
        var settings = new HyperbandSettings { MinBudget = minBudget, MaxBudget = maxBudget, Eta = 3, Promotion = promotion };
        var trials = SequentialRunner.Run(
            Methods.Create(optimizer, Zdt1.Space, settings, seed),
            request => TrialResult.Completed(request.Id, Zdt1.Evaluate(request.Configuration, request.Id.Budget, maxBudget)),
            evaluations);
        var atMax = trials.Where(t => t.Request.Id.Budget == maxBudget).Select(t => t.Result.Objectives!.ToArray()).ToArray();
        return Hypervolume.Compute(atMax, Zdt1.ReferencePoint);
    }

    /// <summary>The median over seeds 1 to 5 of the final hypervolume after 200 evaluations.</summary>
    public static double Median(string optimizer, double minBudget, double maxBudget, PromotionMode promotion = PromotionMode.Synchronous) =>
        Enumerable.Range(1, 5).Select(seed => FinalHypervolume(optimizer, minBudget, maxBudget, seed, 200, promotion)).Order().ElementAt(2);
}
