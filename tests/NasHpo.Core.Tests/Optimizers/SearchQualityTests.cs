using System.Globalization;
using NasHpo.Core.Optimizers;
using Xunit.Abstractions;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>
/// Benchmark B9 in small: every model-based multi-objective method against random search at equal evaluation cost
/// (see <see cref="QualityYardstick"/> for how cost is counted), on 10-D ZDT1 and 3-objective DTLZ2, nine seeds,
/// medians compared. The multi-fidelity methods run budgets 3 to 27 (η = 3 for Hyperband, doubling steps for
/// SH-EMOA); their low budgets see a biased, noisy version of the objectives and only their full-budget
/// evaluations count, so they must pick well to make up for evaluating fewer configurations at the full budget.
/// </summary>
public class SearchQualityTests(ITestOutputHelper output)
{
    private void AssertBeatsRandomSearch(QualityYardstick yardstick, string method)
    {
        var random = yardstick.Hypervolumes("random");
        var candidate = yardstick.Hypervolumes(method);
        var (randomMedian, methodMedian) = (QualityYardstick.Median(random), QualityYardstick.Median(candidate));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{yardstick.Problem.Name}, cost {yardstick.Cost}, budgets {yardstick.MinBudget}-{yardstick.MaxBudget}: random median {randomMedian:F4} [{string.Join(", ", random.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}], {method} median {methodMedian:F4} [{string.Join(", ", candidate.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}]"));
        Assert.True(methodMedian > randomMedian, $"{method} median hypervolume {methodMedian:F4} on {yardstick.Problem.Name} is not above random search's {randomMedian:F4}");
    }

    [Fact]
    public void MO_BOHB_beats_random_search_on_10_D_ZDT1_after_200_evaluations_over_5_seeds_with_either_promotion()
    {
        // The Core issue's yardstick, counted in evaluations (every budget counts as one): MO-BOHB evaluates fewer
        // configurations at the full budget than random search, which runs them all there. ASHA promotes on
        // partial rungs, so fewer of its evaluations reach the full budget than in synchronous brackets.
        var random = Zdt1Quality.Median("random", 3, 27);
        var synchronous = Zdt1Quality.Median("mo-bohb", 3, 27);
        var asynchronous = Zdt1Quality.Median("mo-bohb", 3, 27, PromotionMode.Asynchronous);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random {random:F4}, synchronous MO-BOHB {synchronous:F4}, asynchronous MO-BOHB {asynchronous:F4}"));
        Assert.True(synchronous > random, $"synchronous MO-BOHB median hypervolume {synchronous:F4} is not above random search's {random:F4}");
        Assert.True(asynchronous > random, $"asynchronous MO-BOHB median hypervolume {asynchronous:F4} is not above random search's {random:F4}");
    }

    [Theory]
    [InlineData("zdt1", "mo-bohb")]
    [InlineData("zdt1", "sh-emoa")]
    [InlineData("zdt1", "mo-bananas")]
    [InlineData("dtlz2", "mo-bohb")]
    [InlineData("dtlz2", "sh-emoa")]
    [InlineData("dtlz2", "mo-bananas")]
    public void A_multi_fidelity_method_beats_random_search_at_equal_cost(string problem, string method) =>
        AssertBeatsRandomSearch(QualityYardstick.Named(problem), method);

    [Theory]
    [InlineData("zdt1", "mo-bohb")]
    [InlineData("zdt1", "mo-bananas")]
    [InlineData("dtlz2", "mo-bohb")]
    [InlineData("dtlz2", "mo-bananas")]
    [InlineData("zdt1", "bulk-and-cut")]
    public void A_method_run_at_the_full_budget_only_beats_random_search_at_equal_cost(string problem, string method) =>
        AssertBeatsRandomSearch(QualityYardstick.Named(problem).FullBudgetOnly, method);

    /// <summary>
    /// BULK &amp; CUT used to be handed a synthetic problem's distance variables (those that leave the true front when
    /// moved) for its constrained BO, knowledge no other method had; with it, it beat random search on both problems
    /// (medians 11.64 on ZDT1, 19.39 on DTLZ2). Without it (constrained BO chooses nothing on a space with no network
    /// parameters; the morphisms' steps move every variable) it still beats random search on ZDT1 (9.44 against
    /// 9.07), but on three-objective DTLZ2 it is level with it (18.80 against 18.81). This test holds it there: a
    /// median more than 1 % below random search's fails.
    /// </summary>
    [Fact]
    public void BULK_AND_CUT_without_the_distance_variables_is_level_with_random_search_on_DTLZ2()
    {
        var yardstick = QualityYardstick.Dtlz2.FullBudgetOnly;
        var random = QualityYardstick.Median(yardstick.Hypervolumes("random"));
        var bulkAndCut = QualityYardstick.Median(yardstick.Hypervolumes("bulk-and-cut"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dtlz2, cost {yardstick.Cost}: random median {random:F4}, bulk-and-cut median {bulkAndCut:F4}"));
        Assert.True(bulkAndCut > 0.99 * random, $"bulk-and-cut median hypervolume {bulkAndCut:F4} on dtlz2 is more than 1 % below random search's {random:F4}");
    }

    /// <summary>A study that names the distance variables in <c>optimizer.hyperparameters</c> still gets what the default used to give.</summary>
    [Theory]
    [InlineData("zdt1")]
    [InlineData("dtlz2")]
    public void BULK_AND_CUT_told_the_distance_variables_beats_random_search(string problem)
    {
        var yardstick = QualityYardstick.Named(problem).FullBudgetOnly;
        AssertBeatsRandomSearch(yardstick with { BulkAndCutHyperparameters = yardstick.Problem.DistanceVariableNames }, "bulk-and-cut");
    }

    /// <summary>
    /// MS-EHVI is a full-budget method whose Gaussian processes cost O(n³) per proposal, so it is compared at 40
    /// full-budget evaluations rather than 100 (random search gets the same 40).
    /// </summary>
    [Theory]
    [InlineData("zdt1")]
    [InlineData("dtlz2")]
    public void MS_EHVI_beats_random_search_at_equal_cost(string problem) =>
        AssertBeatsRandomSearch(QualityYardstick.Named(problem).FullBudgetOnly with { Cost = 40 }, "ms-ehvi");
}
