using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Pareto;

public class NonDominatedSortingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Sorting_matches_brute_force(int dimension)
    {
        var random = new DeterministicRandom((ulong)(700 + dimension));
        for (var trial = 0; trial < 500; trial++)
        {
            var count = random.Next(0, 40);

            // A narrow integer range produces ties in every objective and exact duplicates.
            var points = BruteForce.IntegerPoints(random, count, dimension, -2, random.Next(1, 8));
            var expected = BruteForce.Sort(points);
            var actual = NonDominatedSorting.Sort(points);
            Assert.Equal(expected, actual);
            Assert.Equal(count == 0 ? [] : expected[0], NonDominatedSorting.FirstFront(points));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Large_random_sets_match_brute_force(int dimension)
    {
        var random = new DeterministicRandom((ulong)(800 + dimension));
        var points = Enumerable.Range(0, 600)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => random.NextDouble()).ToArray())
            .ToArray();
        Assert.Equal(BruteForce.Sort(points), NonDominatedSorting.Sort(points));
    }

    [Fact]
    public void Duplicates_share_a_front_and_fronts_are_ascending()
    {
        double[][] points = [[2, 2], [1, 3], [2, 2], [3, 3], [3, 1], [3, 3]];
        var fronts = NonDominatedSorting.Sort(points);
        Assert.Equal([[0, 1, 2, 4], [3, 5]], fronts);
        Assert.Equal([0, 1, 2, 4], NonDominatedSorting.FirstFront(points));
    }

    [Fact]
    public void Edge_cases()
    {
        Assert.Empty(NonDominatedSorting.Sort([]));
        Assert.Empty(NonDominatedSorting.FirstFront([]));
        Assert.Throws<ArgumentException>(() => NonDominatedSorting.Sort([[1, 2], [1]]));
        Assert.True(Dominance.Dominates([1, 2], [1, 3]));
        Assert.False(Dominance.Dominates([1, 2], [1, 2]));
        Assert.False(Dominance.Dominates([1, 3], [2, 2]));
        Assert.Throws<ArgumentException>(() => Dominance.Dominates([1, 2], [1, 2, 3]));
    }
}
