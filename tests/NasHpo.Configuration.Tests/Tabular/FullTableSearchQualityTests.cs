using System.Globalization;
using Xunit.Abstractions;

namespace NasHpo.Configuration.Tests.Tabular;

/// <summary>
/// Search quality on the full Fashion-MNIST table (1 296 configurations of paper 001's Table 2 network, 9 epochs,
/// trained by this project; the parameter count on paper 001's log scale), eleven seeds, medians at equal epochs: the
/// issue's protocol of 270 epochs, and a third of it. Each run replays the table in milliseconds, so a change that
/// makes a method worse on real learning curves fails here in seconds.
/// </summary>
public class FullTableSearchQualityTests(ITestOutputHelper output)
{
    private double Median(double epochs, string method)
    {
        var values = new TabularYardstick(epochs, StudyName: TabularYardstick.FullStudy).Hypervolumes(method);
        var median = TabularYardstick.Median(values);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method} after {epochs} epochs: median {median:F4} [{string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}]"));
        return median;
    }

    /// <summary>
    /// Every model-based multi-objective method, the main job's MS-EHVI among them, beats random search at the
    /// protocol's 270 epochs. Measured with 11 seeds (median hypervolume): random 2.323, MO-BOHB 2.468, BULK &amp; CUT
    /// 2.511 (with distinct configurations, its default), MO-BANANAS 2.544, MS-EHVI 2.587; hyperband
    /// 2.353 and SH-EMOA 2.394 are above it too.
    /// </summary>
    [Theory]
    [InlineData("mo-bohb")]
    [InlineData("mo-bananas")]
    [InlineData("ms-ehvi")]
    [InlineData("bulk-and-cut")]
    [InlineData("sh-emoa")]
    [InlineData("hyperband")]
    public void Methods_beat_random_search_at_the_full_count(string method)
    {
        var random = Median(270, "random");
        var candidate = Median(270, method);
        Assert.True(candidate > random, $"{method} median hypervolume {candidate:F4} after 270 epochs is not above random search's {random:F4}");
    }

    /// <summary>
    /// MS-EHVI's default design is a third of the nine-epoch trials the study's epochs buy, so its model proposes the
    /// rest: a study of 120 epochs buys 13 trials, samples 5 and models 8, and is ahead of random search (measured
    /// with 11 seeds: 2.508 against 2.238). With the paper's max(2·d + 1, 10) = 17 every one of the 13 was random,
    /// its median equal to random search's.
    /// </summary>
    [Fact]
    public void MS_EHVI_with_its_default_design_is_ahead_of_random_search_early()
    {
        var random = Median(120, "random");
        var candidate = Median(120, "ms-ehvi");
        Assert.True(candidate > random, $"ms-ehvi median hypervolume {candidate:F4} after 120 epochs is not above random search's {random:F4}");
    }

    /// <summary>
    /// MO-BANANAS is ahead of random search at a third of the epochs (2.281 against 2.219). MO-BOHB is level with it
    /// there (2.215 over these seeds, 2.233 against 2.196 over `compare`'s 20), so it is not asserted: 90 epochs is
    /// where the second Hyperband iteration's first bracket has just delivered its one 9-epoch result.
    /// </summary>
    [Fact]
    public void MO_BANANAS_is_ahead_of_random_search_at_a_third_of_the_epochs()
    {
        var random = Median(90, "random");
        var candidate = Median(90, "mo-bananas");
        Assert.True(candidate > random, $"mo-bananas median hypervolume {candidate:F4} after 90 epochs is not above random search's {random:F4}");
    }
}
