using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Pareto;

public class HypervolumeSubsetSelectionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Greedy_matches_the_brute_force_greedy_procedure(int dimension)
    {
        var random = new DeterministicRandom((ulong)(900 + dimension));
        for (var trial = 0; trial < 150; trial++)
        {
            var count = random.Next(1, 8);
            var points = BruteForce.IntegerPoints(random, count, dimension, 0, 6);
            var reference = Enumerable.Repeat(5.0, dimension).ToArray();
            for (var k = 0; k <= count; k++)
            {
                Assert.Equal(BruteForce.GreedySelection(points, k, reference), HypervolumeSubsetSelection.SelectGreedy(points, k, reference));
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Removing_one_point_is_optimal(int dimension)
    {
        var random = new DeterministicRandom((ulong)(950 + dimension));
        for (var trial = 0; trial < 200; trial++)
        {
            var count = random.Next(2, 9);
            var points = BruteForce.IntegerPoints(random, count, dimension, 0, 9);
            var reference = Enumerable.Repeat(8.0, dimension).ToArray();
            var kept = HypervolumeSubsetSelection.SelectGreedy(points, count - 1, reference);
            var best = Enumerable.Range(0, count)
                .Max(skip => BruteForce.HypervolumeInclusionExclusion(points.Where((_, j) => j != skip).ToArray(), reference));
            Assert.Equal(best, BruteForce.HypervolumeInclusionExclusion(kept.Select(i => points[i]).ToArray(), reference));
        }
    }

    [Theory]
    [InlineData(2, 60)]
    [InlineData(3, 25)]
    public void Greedy_on_real_points_matches_removal_by_hypervolume_differences(int dimension, int count)
    {
        var random = new DeterministicRandom((ulong)(980 + dimension));
        var points = Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => random.NextDouble()).ToArray())
            .ToArray();
        double[] reference = [.. Enumerable.Repeat(0.95, dimension)];
        var kept = Enumerable.Range(0, count).ToList();
        while (kept.Count > 5)
        {
            var all = Hypervolume.Compute(kept.Select(i => points[i]).ToArray(), reference);
            var worst = kept
                .Select(i => (Index: i, Loss: all - Hypervolume.Compute(kept.Where(j => j != i).Select(j => points[j]).ToArray(), reference)))
                .OrderBy(t => Math.Round(t.Loss, 12))
                .ThenByDescending(t => t.Index)
                .First();
            kept.Remove(worst.Index);
        }

        Assert.Equal(kept, HypervolumeSubsetSelection.SelectGreedy(points, 5, reference));
    }

    [Fact]
    public void Bounds_and_points_beyond_the_reference()
    {
        double[][] points = [[1, 4], [2, 2], [6, 0], [4, 1], [0, 7]];
        double[] reference = [5, 5];
        Assert.Equal([0, 1, 2, 3, 4], HypervolumeSubsetSelection.SelectGreedy(points, 5, reference));
        Assert.Equal([0, 1, 2, 3, 4], HypervolumeSubsetSelection.SelectGreedy(points, 9, reference));
        Assert.Empty(HypervolumeSubsetSelection.SelectGreedy(points, 0, reference));
        Assert.Empty(HypervolumeSubsetSelection.SelectGreedy(points, -1, reference));

        // The two points beyond the reference add nothing and go first, the higher index before the lower.
        Assert.Equal([0, 1, 2, 3], HypervolumeSubsetSelection.SelectGreedy(points, 4, reference));
        Assert.Equal([0, 1, 3], HypervolumeSubsetSelection.SelectGreedy(points, 3, reference));
        Assert.Empty(HypervolumeSubsetSelection.SelectGreedy([], 3, reference));
    }
}
