using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Pareto;

public class HypervolumeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Integer_fronts_match_inclusion_exclusion_exactly(int dimension)
    {
        // Small integers make every intermediate exact, so equality is exact, ties and duplicates included.
        var random = new DeterministicRandom((ulong)(100 + dimension));
        for (var trial = 0; trial < 600; trial++)
        {
            var count = random.Next(0, 11);
            var points = BruteForce.IntegerPoints(random, count, dimension, -3, 6);
            var reference = Enumerable.Range(0, dimension).Select(_ => (double)random.Next(0, 7)).ToArray();
            Assert.Equal(BruteForce.HypervolumeInclusionExclusion(points, reference), Hypervolume.Compute(points, reference));
        }
    }

    [Theory]
    [InlineData(2, 400, 6)]
    [InlineData(3, 300, 5)]
    [InlineData(4, 120, 4)]
    [InlineData(5, 40, 4)]
    [InlineData(6, 15, 3)]
    public void Integer_fronts_match_grid_counting(int dimension, int trials, int top)
    {
        var random = new DeterministicRandom((ulong)(200 + dimension));
        const int lowest = -1;
        for (var trial = 0; trial < trials; trial++)
        {
            var count = random.Next(1, 40);
            var reference = Enumerable.Range(0, dimension).Select(_ => random.Next(1, top + 1)).ToArray();

            // Coordinates reach past the reference so some points lie on or beyond it.
            var points = BruteForce.IntegerPoints(random, count, dimension, lowest, top + 1);
            var expected = BruteForce.HypervolumeGrid(points, reference, lowest);
            Assert.Equal(expected, Hypervolume.Compute(points, reference.Select(r => (double)r).ToArray()));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    public void Real_fronts_match_inclusion_exclusion(int dimension)
    {
        var random = new DeterministicRandom((ulong)(300 + dimension));
        for (var trial = 0; trial < 300; trial++)
        {
            var count = random.Next(1, 10);
            var points = Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, dimension).Select(_ => (random.NextDouble() * 2.0) - 0.5).ToArray())
                .ToArray();
            var reference = Enumerable.Repeat(1.0, dimension).ToArray();
            var expected = BruteForce.HypervolumeInclusionExclusion(points, reference);
            Assert.Equal(expected, Hypervolume.Compute(points, reference), 1e-12);
        }
    }

    [Theory]
    [InlineData(2, 2000)]
    [InlineData(3, 400)]
    [InlineData(4, 150)]
    public void Adding_a_neutral_objective_does_not_change_the_value(int dimension, int count)
    {
        // Large fronts checked through other code paths: an extra objective at 0 with reference 1 embeds a
        // d-objective front in d+1 (and d+2) objectives, and permuting objectives leaves the value alone.
        var random = new DeterministicRandom((ulong)(400 + dimension));
        var sphere = BruteForce.SpherePoints(random, count, dimension);
        var noisy = sphere.Select(p => p.Select(v => v + (0.3 * random.NextDouble())).ToArray()).ToArray();
        foreach (var points in new[] { sphere, noisy })
        {
            var reference = Enumerable.Repeat(1.1, dimension).ToArray();
            var value = Hypervolume.Compute(points, reference);
            var plusOne = points.Select(p => p.Append(0.0).ToArray()).ToArray();
            var plusTwo = points.Select(p => p.Append(0.0).Append(0.0).ToArray()).ToArray();
            var reversed = points.Select(p => p.Reverse().ToArray()).ToArray();
            Assert.Equal(value, Hypervolume.Compute(plusOne, [.. reference, 1.0]), 1e-12 * value);
            Assert.Equal(value, Hypervolume.Compute(plusTwo, [.. reference, 1.0, 1.0]), 1e-12 * value);
            Assert.Equal(value, Hypervolume.Compute(reversed, reference), 1e-12 * value);
        }
    }

    [Fact]
    public void Degenerate_fronts()
    {
        double[] reference2 = [10, 10];
        Assert.Equal(0.0, Hypervolume.Compute([], reference2));
        Assert.Equal(42.0, Hypervolume.Compute([[4, 3]], reference2));
        Assert.Equal(42.0, Hypervolume.Compute([[4, 3], [4, 3], [4, 3]], reference2));

        // All on a vertical line: only the lowest counts.
        Assert.Equal(54.0, Hypervolume.Compute([[4, 9], [4, 1], [4, 5]], reference2));

        // On or beyond the reference in one objective: nothing.
        Assert.Equal(0.0, Hypervolume.Compute([[10, 1], [1, 12], [11, 11]], reference2));

        // Collinear in 3-D along the diagonal: a chain, the best point alone.
        double[] reference3 = [4, 4, 4];
        Assert.Equal(27.0, Hypervolume.Compute([[3, 3, 3], [1, 1, 1], [2, 2, 2]], reference3));

        // Negative coordinates.
        Assert.Equal(2.0 * 3.0 * 4.0, Hypervolume.Compute([[-1, -2, -3]], [1, 1, 1]));
        Assert.Equal(5.0, Hypervolume.Compute([[-3], [-4], [2]], [1]));
    }

    [Fact]
    public void Inconsistent_dimensions_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[1, 2], [1, 2, 3]], [5, 5]));
        Assert.Contains("reference", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[1, 2]], []));
        Assert.Throws<ArgumentException>(() => Hypervolume.Contributions([[1, 2, 3]], [5, 5]));
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[double.NaN, 2]], [5, 5]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Contributions_match_the_difference_of_hypervolumes(int dimension)
    {
        var random = new DeterministicRandom((ulong)(500 + dimension));
        for (var trial = 0; trial < 400; trial++)
        {
            var count = random.Next(0, 9);
            var points = BruteForce.IntegerPoints(random, count, dimension, -2, 6);
            var reference = Enumerable.Repeat(5.0, dimension).ToArray();
            var all = BruteForce.HypervolumeInclusionExclusion(points, reference);
            var contributions = Hypervolume.Contributions(points, reference);
            Assert.Equal(count, contributions.Length);
            for (var i = 0; i < count; i++)
            {
                var without = points.Where((_, j) => j != i).ToArray();
                Assert.Equal(all - BruteForce.HypervolumeInclusionExclusion(without, reference), contributions[i]);
            }
        }
    }

    [Fact]
    public void Two_objective_contributions_on_large_random_sets()
    {
        var random = new DeterministicRandom(600);
        for (var trial = 0; trial < 20; trial++)
        {
            var points = Enumerable.Range(0, 300).Select(_ => new[] { random.NextDouble(), random.NextDouble() }).ToArray();
            points[7] = (double[])points[3].Clone();
            double[] reference = [0.9, 0.9];
            var all = Hypervolume.Compute(points, reference);
            var contributions = Hypervolume.Contributions(points, reference);
            for (var i = 0; i < points.Length; i++)
            {
                var without = points.Where((_, j) => j != i).ToArray();
                Assert.Equal(all - Hypervolume.Compute(without, reference), contributions[i], 1e-12);
            }

            Assert.Equal(0.0, contributions[3]);
            Assert.Equal(0.0, contributions[7]);
        }
    }

    [Theory]
    [InlineData(3, 120)]
    [InlineData(4, 80)]
    [InlineData(5, 40)]
    public void Contributions_of_larger_real_fronts_match_the_difference_of_hypervolumes(int dimension, int count)
    {
        var random = new DeterministicRandom((ulong)(650 + dimension));
        var points = BruteForce.SpherePoints(random, count, dimension)
            .Select(p => p.Select(v => v + (0.2 * random.NextDouble())).ToArray())
            .ToArray();
        var reference = Enumerable.Repeat(1.1, dimension).ToArray();
        var all = Hypervolume.Compute(points, reference);
        var contributions = Hypervolume.Contributions(points, reference);
        for (var i = 0; i < count; i++)
        {
            var without = points.Where((_, j) => j != i).ToArray();
            Assert.Equal(all - Hypervolume.Compute(without, reference), contributions[i], 1e-12);
        }
    }

    [Fact]
    public void Dominated_and_duplicated_points_contribute_nothing()
    {
        double[][] points = [[1, 3], [3, 1], [2, 2], [2, 2], [3, 3], [0, 9]];
        var contributions = Hypervolume.Contributions(points, [4, 4]);
        Assert.Equal([1.0, 1.0, 0.0, 0.0, 0.0, 0.0], contributions);
    }
}
