using NasHpo.Core.Statistics;

namespace NasHpo.Core.Tests;

public class StatisticsTests
{
    [Theory]
    // Reference values of erfc to 16 digits.
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 0.67137324054087258)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(2.0, 0.0046777349810472658)]
    [InlineData(5.0, 1.5374597944280349e-12)]
    [InlineData(-1.0, 1.8427007929497149)]
    public void Erfc_matches_reference_values(double x, double expected) =>
        Assert.Equal(expected, NormalDistribution.Erfc(x), expected * 1e-13);

    [Fact]
    public void Normal_cdf_is_symmetric_and_correct_at_known_points()
    {
        Assert.Equal(0.5, NormalDistribution.Cdf(0), 15);
        Assert.Equal(0.97724986805182079, NormalDistribution.Cdf(2), 14);
        Assert.Equal(1.0, NormalDistribution.Cdf(1.3) + NormalDistribution.Cdf(-1.3), 15);
        Assert.Equal(0.3989422804014327, NormalDistribution.Density(0), 15);
    }
}
