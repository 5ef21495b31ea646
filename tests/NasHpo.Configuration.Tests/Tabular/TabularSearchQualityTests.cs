using System.Globalization;
using NasHpo.Core.Fidelity;
using Xunit.Abstractions;

namespace NasHpo.Configuration.Tests.Tabular;

/// <summary>
/// Search quality on real training, replayed: the shipped small Fashion-MNIST table (48 configurations x 2 seeds x 9
/// epochs, made by this project's own training), eleven seeds, medians at equal epochs. Each run takes milliseconds,
/// so a change that makes a method worse on real learning curves fails here in seconds.
/// </summary>
public class TabularSearchQualityTests(ITestOutputHelper output)
{
    private (double Random, double Method) Medians(TabularYardstick yardstick, string method)
    {
        var random = yardstick.Hypervolumes("random");
        var candidate = yardstick.Hypervolumes(method);
        string Show(double[] values) => string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
        var medians = (TabularYardstick.Median(random), TabularYardstick.Median(candidate));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{yardstick.Epochs} epochs: random median {medians.Item1:F4} [{Show(random)}]; {method} median {medians.Item2:F4} [{Show(candidate)}]"));
        return medians;
    }

    /// <summary>
    /// Every Hyperband method, promoting by hypervolume gain (the default), is ahead of random search at a third of
    /// the epochs. Measured with 11 seeds: hyperband 110 724, MO-BOHB 109 031, MO-BANANAS 109 349 against 108 209.
    /// </summary>
    [Theory]
    [InlineData("hyperband")]
    [InlineData("mo-bohb")]
    [InlineData("mo-bananas")]
    public void Hyperband_methods_are_not_below_random_search_at_a_third_of_the_epochs(string method)
    {
        var (random, candidate) = Medians(new TabularYardstick(90), method);
        Assert.True(candidate >= random, $"{method} median hypervolume {candidate:F4} after 90 epochs is below random search's {random:F4}");
    }

    /// <summary>
    /// Promotion by hypervolume gain finds more than paper 001's non-dominated sorting at the protocol's 270 epochs
    /// (measured with 11 seeds: hyperband 113 008 against 111 751, MO-BOHB 112 841 against 111 771). On this
    /// 48-configuration table random search has trained most of the space by then (median 113 063), so the
    /// comparison that matters at 270 epochs is between the two rankings.
    /// </summary>
    [Theory]
    [InlineData("hyperband")]
    [InlineData("mo-bohb")]
    public void Hypervolume_gain_promotion_is_not_below_non_dominated_sorting_at_the_full_count(string method)
    {
        var gain = TabularYardstick.Median(new TabularYardstick(270).Hypervolumes(method));
        var paper = TabularYardstick.Median(new TabularYardstick(270, PromotionRanking.NonDominatedSorting).Hypervolumes(method));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} at 270 epochs: hypervolume gain {gain:F1}, non-dominated sorting {paper:F1}"));
        Assert.True(gain >= paper, $"{method} promoting by hypervolume gain has median {gain:F1} after 270 epochs, below {paper:F1} with non-dominated sorting");
    }

    /// <summary>
    /// MS-EHVI, which trains every network to the maximum budget and knows a candidate's parameter count without
    /// training it, beats random search at the protocol's 270 epochs (measured with 11 seeds: 113 879 against
    /// 113 063, with its default design of a third of the 30 trials the epochs buy).
    /// </summary>
    [Fact]
    public void MS_EHVI_is_above_random_search_at_the_full_count()
    {
        var (random, candidate) = Medians(new TabularYardstick(270), "ms-ehvi");
        Assert.True(candidate > random, $"ms-ehvi median hypervolume {candidate:F1} after 270 epochs is not above random search's {random:F1}");
    }

    /// <summary>
    /// MO-BOHB's early model (a Parzen model over all budgets until one budget holds 2·d + 1 results) on the full
    /// table, 100 seeds, 88 epochs: the end of the first Hyperband iteration (69 epochs) plus the second one's first
    /// screened bracket, all but its last 9-epoch trial. Without the early model, as in paper 001, the method is
    /// below random search there (its 69 epochs bought 5 nine-epoch results to random search's 7, and proposals
    /// were random until then); with it, it is not. One hundred seeds, because twenty-seed medians of this stretch
    /// swing by more than the difference (random search's median regret at 90 epochs is 0.53 over seeds 1–20 and
    /// 0.76 over seeds 101–120).
    /// </summary>
    [Fact]
    public void MO_BOHB_with_its_early_model_is_not_below_random_search_right_after_the_first_Hyperband_iteration()
    {
        var seeds = Enumerable.Range(1, 100).Select(s => (long)s).ToArray();
        var yardstick = new TabularYardstick(88, StudyName: TabularYardstick.FullStudy) { RunSeeds = seeds };
        var (random, early) = Medians(yardstick, "mo-bohb");
        var paper = TabularYardstick.Median((yardstick with { Settings = PaperRule() }).Hypervolumes("mo-bohb"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mo-bohb after 88 epochs: early model {early:F4}, paper's rule {paper:F4}, random {random:F4}"));
        Assert.True(early >= random, $"mo-bohb's median hypervolume {early:F4} after 88 epochs is below random search's {random:F4}");
        Assert.True(early > paper, $"mo-bohb's early model ({early:F4}) does not lift its median above the paper's rule ({paper:F4}) after 88 epochs");
    }

    /// <summary>
    /// BULK &amp; CUT with distinct configurations (its default) is above paper 001's rule at 270 epochs on the small
    /// table, where the rule, which lets a child repeat a configuration already run, wastes many of its 30 trials
    /// (measured with these 11 seeds: distinct 112 958, the paper's rule 111 689). Random search (113 063) is not
    /// asserted: over these 11 seeds it stays ahead of both, over `compare`'s 20 seeds distinct BULK &amp; CUT is ahead
    /// of it (regret 695 ± 269 against 1 648 ± 312).
    /// </summary>
    [Fact]
    public void BULK_and_CUT_with_distinct_configurations_is_above_the_papers_rule_at_the_full_count()
    {
        var yardstick = new TabularYardstick(270);
        var distinct = TabularYardstick.Median(yardstick.Hypervolumes("bulk-and-cut"));
        var paper = TabularYardstick.Median((yardstick with { Settings = new Core.Optimizers.Methods.BulkAndCutOptions([0.35, 0.40, 0.25], 0.15, null, DistinctConfigurations: false) }).Hypervolumes("bulk-and-cut"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bulk-and-cut after 270 epochs: distinct {distinct:F1}, paper's rule {paper:F1}"));
        Assert.True(distinct > paper, $"bulk-and-cut's distinct configurations ({distinct:F1}) do not lift its median above the paper's rule ({paper:F1})");
    }

    private static Core.Optimizers.Samplers.TreeParzenSettings PaperRule() =>
        Core.Optimizers.Samplers.TreeParzenSampler.MoBohb().Settings with { EarlyModelPoints = 0 };

    [Fact]
    public void Random_search_with_more_epochs_finds_more()
    {
        // The yardstick itself must be able to tell budgets apart, or the comparisons above could not fail.
        var few = TabularYardstick.Median(new TabularYardstick(27).Hypervolumes("random"));
        var many = TabularYardstick.Median(new TabularYardstick(270).Hypervolumes("random"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random median: 27 epochs {few:F4}, 270 epochs {many:F4}"));
        Assert.True(many > few, $"random search's median hypervolume after 270 epochs ({many:F4}) is not above its median after 27 ({few:F4})");
    }
}
