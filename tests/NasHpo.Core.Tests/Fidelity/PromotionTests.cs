using NasHpo.Core.Fidelity;

namespace NasHpo.Core.Tests.Fidelity;

public class PromotionTests
{
    [Fact]
    public void One_objective_promotes_the_k_smallest_with_ties_to_the_earlier()
    {
        double[][] points = [[5], [1], [3], [1], [9]];
        Assert.Equal(new[] { 1, 3 }, Promotion.SelectBest(points, 2));
        Assert.Equal(new[] { 1, 2, 3 }, Promotion.SelectBest(points, 3));
    }

    [Fact]
    public void Several_objectives_fill_whole_fronts_first()
    {
        // Front 1: indices 0, 1, 2; front 2: 3, 4; index 5 last.
        double[][] points = [[1, 5], [3, 3], [5, 1], [4, 4], [6, 2], [9, 9]];
        Assert.Equal(new[] { 0, 1, 2 }, Promotion.SelectBest(points, 3));
        var four = Promotion.SelectBest(points, 4);
        Assert.Equal(4, four.Length);
        Assert.Subset(new HashSet<int>(four), new HashSet<int> { 0, 1, 2 });
        Assert.DoesNotContain(5, four);
    }

    [Fact]
    public void The_front_that_does_not_fit_keeps_its_largest_hypervolume_subset()
    {
        // One front of five points; the middle point (3, 3) adds the least once its neighbours are kept.
        double[][] points = [[0, 10], [2.9, 3.1], [3, 3], [3.1, 2.9], [10, 0]];
        var kept = Promotion.SelectBest(points, 4);
        Assert.Contains(0, kept);
        Assert.Contains(4, kept);
        Assert.Equal(4, kept.Length);
    }

    [Fact]
    public void Edge_cases_return_everything_or_nothing()
    {
        double[][] points = [[1, 2], [2, 1]];
        Assert.Empty(Promotion.SelectBest(points, 0));
        Assert.Equal(new[] { 0, 1 }, Promotion.SelectBest(points, 5));
        Assert.Empty(Promotion.SelectBest([], 3));
    }
}
