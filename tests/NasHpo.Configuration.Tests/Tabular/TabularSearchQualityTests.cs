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

    [Theory]
    [InlineData("mo-bohb", 90)]
    [InlineData("mo-bohb", 270)]
    public void MO_BOHB_is_not_below_random_search_at_equal_epochs(string method, double epochs)
    {
        var (random, candidate) = Medians(new TabularYardstick(epochs), method);
        Assert.True(candidate >= random, $"{method} median hypervolume {candidate:F4} after {epochs} epochs is below random search's {random:F4}");
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
