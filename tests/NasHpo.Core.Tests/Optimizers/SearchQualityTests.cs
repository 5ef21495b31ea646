using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Optimizers;

public class SearchQualityTests
{
    private static readonly SyntheticProblem Zdt1 = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(10));

    /// <summary>The hypervolume a study reports after the evaluations: the front of those at the maximum budget.</summary>
    private static double FinalHypervolume(string optimizer, double minBudget, double maxBudget, long seed, int evaluations)
    {
        var settings = new HyperbandSettings { MinBudget = minBudget, MaxBudget = maxBudget, Eta = 3 };
        var trials = SequentialRunner.Run(
            OptimizerFactory.Create(optimizer, Zdt1.Space, settings, seed),
            request => TrialResult.Completed(request.Id, Zdt1.Evaluate(request.Configuration, request.Id.Budget, maxBudget)),
            evaluations);
        var atMax = trials.Where(t => t.Request.Id.Budget == maxBudget).Select(t => t.Result.Objectives!.ToArray()).ToArray();
        return Hypervolume.Compute(atMax, Zdt1.ReferencePoint);
    }

    private static double Median(string optimizer, double minBudget, double maxBudget) =>
        Enumerable.Range(1, 5).Select(seed => FinalHypervolume(optimizer, minBudget, maxBudget, seed, 200)).Order().ElementAt(2);

    [Fact]
    public void MO_BOHB_beats_random_search_on_ZDT1_at_equal_evaluations()
    {
        // 10-D ZDT1, 200 evaluations, 5 seeds. MO-BOHB runs Hyperband from budget 3 to 27 with noisy, biased low
        // budgets, and still only the evaluations at the full budget count; random search runs everything there.
        var random = Median("random", 3, 27);
        var moBohb = Median("mo-bohb", 3, 27);
        Assert.True(moBohb > random, $"MO-BOHB median hypervolume {moBohb:F4} is not above random search's {random:F4}");
    }

    [Fact]
    public void MO_BOHB_without_multi_fidelity_beats_random_search_too()
    {
        var random = Median("random", 27, 27);
        var moBohb = Median("mo-bohb", 27, 27);
        Assert.True(moBohb > random, $"MO-BOHB median hypervolume {moBohb:F4} is not above random search's {random:F4}");
    }
}
