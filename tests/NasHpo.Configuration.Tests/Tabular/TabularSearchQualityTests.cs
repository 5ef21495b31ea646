using System.Globalization;
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
    /// At 90 epochs (ten 9-epoch networks for random search, a third of the 270 of the protocol) MO-BOHB's median is
    /// above random search's (measured: 107 955 against 104 920). At 270 epochs it is not (109 923 against 110 988):
    /// on 48 configurations random search has by then trained most of the space, which issue 12 §4 is about; no
    /// assertion is made there.
    /// </summary>
    [Fact]
    public void MO_BOHB_is_not_below_random_search_at_a_third_of_the_protocols_epochs()
    {
        var (random, candidate) = Medians(new TabularYardstick(90), "mo-bohb");
        Assert.True(candidate >= random, $"mo-bohb median hypervolume {candidate:F4} after 90 epochs is below random search's {random:F4}");
    }

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
