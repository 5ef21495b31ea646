using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Pareto;

public class ExpectedHypervolumeImprovementTests
{
    [Fact]
    public void Exact_agrees_with_Monte_Carlo_within_standard_errors()
    {
        var random = new DeterministicRandom(1000);
        double[] reference = [1.0, 1.0];
        for (var trial = 0; trial < 12; trial++)
        {
            var front = Enumerable.Range(0, random.Next(0, 9))
                .Select(_ => new[] { random.NextDouble(), random.NextDouble() })
                .ToArray();
            double[] mean = [(random.NextDouble() * 1.2) - 0.1, (random.NextDouble() * 1.2) - 0.1];
            double[] sd = [0.02 + (0.3 * random.NextDouble()), 0.02 + (0.3 * random.NextDouble())];
            var exact = ExpectedHypervolumeImprovement.Exact2D(front, reference, mean, sd);

            // 20 independent batches of 5 000 samples: their spread gives the standard error of the 10^5-sample mean.
            const int batches = 20;
            var means = Enumerable.Range(0, batches)
                .Select(b => ExpectedHypervolumeImprovement.MonteCarlo(front, reference, mean, sd, 5000, new DeterministicRandom((ulong)((trial * 100) + b))))
                .ToArray();
            var estimate = means.Average();
            var standardError = Math.Sqrt(means.Sum(m => (m - estimate) * (m - estimate)) / (batches - 1) / batches);
            Assert.InRange(exact, estimate - (5 * standardError) - 1e-12, estimate + (5 * standardError) + 1e-12);
        }
    }

    [Fact]
    public void Zero_deviation_is_the_deterministic_improvement()
    {
        var random = new DeterministicRandom(1100);
        double[] reference = [1.0, 1.0];
        for (var trial = 0; trial < 200; trial++)
        {
            var front = Enumerable.Range(0, random.Next(0, 9))
                .Select(_ => new[] { random.NextDouble(), random.NextDouble() })
                .ToArray();
            double[] mean = [(random.NextDouble() * 1.2) - 0.1, (random.NextDouble() * 1.2) - 0.1];
            var improvement = Hypervolume.Compute([.. front, mean], reference) - Hypervolume.Compute(front, reference);
            Assert.Equal(improvement, ExpectedHypervolumeImprovement.Exact2D(front, reference, mean, [0, 0]), 1e-12);
            Assert.Equal(improvement, ExpectedHypervolumeImprovement.Exact2D(front, reference, mean, [1e-9, 1e-9]), 1e-7);
            Assert.Equal(improvement, ExpectedHypervolumeImprovement.MonteCarlo(front, reference, mean, [0, 0], 3, random), 1e-12);
        }
    }

    [Fact]
    public void Monte_Carlo_in_three_objectives_degrades_to_the_improvement()
    {
        var random = new DeterministicRandom(1200);
        double[] reference = [1.0, 1.0, 1.0];
        for (var trial = 0; trial < 100; trial++)
        {
            var front = BruteForce.SpherePoints(random, random.Next(0, 12), 3);
            double[] mean = [random.NextDouble(), random.NextDouble(), random.NextDouble()];
            var improvement = Hypervolume.Compute([.. front, mean], reference) - Hypervolume.Compute(front, reference);
            Assert.Equal(improvement, ExpectedHypervolumeImprovement.MonteCarlo(front, reference, mean, [0, 0, 0], 2, random), 1e-12);
        }
    }

    [Fact]
    public void Empty_front_is_the_product_of_one_dimensional_expectations()
    {
        // E[(r - Y)+] for Y ~ N(r, σ) is σ φ(0) = σ / sqrt(2π).
        var value = ExpectedHypervolumeImprovement.Exact2D([], [0, 0], [0, 0], [1, 2]);
        Assert.Equal(2.0 / (2.0 * Math.PI), value, 1e-15);
    }

    [Fact]
    public void Normal_distribution_function_is_accurate()
    {
        Assert.Equal(0.5, NormalDistribution.Cdf(0), 1e-16);
        Assert.Equal(0.8413447460685429, NormalDistribution.Cdf(1), 1e-15);
        Assert.Equal(0.0013498980316300946, NormalDistribution.Cdf(-3), 1e-17);
        Assert.Equal(7.61985302416052606e-24, NormalDistribution.Cdf(-10), 1e-36);
        Assert.Equal(0.9772498680518208, NormalDistribution.Cdf(2), 1e-15);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentException>(() => ExpectedHypervolumeImprovement.Exact2D([], [1, 1, 1], [0, 0, 0], [1, 1, 1]));
        Assert.Throws<ArgumentException>(() => ExpectedHypervolumeImprovement.Exact2D([[0.5, 0.5, 0.5]], [1, 1], [0, 0], [1, 1]));
        Assert.Throws<ArgumentException>(() => ExpectedHypervolumeImprovement.Exact2D([], [1, 1], [0, 0], [-1, 1]));
        Assert.Throws<ArgumentException>(() => ExpectedHypervolumeImprovement.MonteCarlo([], [1, 1], [0], [1, 1], 10, new DeterministicRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedHypervolumeImprovement.MonteCarlo([], [1, 1], [0, 0], [1, 1], 0, new DeterministicRandom(1)));
    }
}
