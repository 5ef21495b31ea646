using NasHpo.Core.Pareto;

namespace NasHpo.Core.Tests.Pareto;

public class CrowdingDistanceTests
{
    [Fact]
    public void Hand_computed_example()
    {
        // Objective ranges are 6 and 6. Interior distances:
        // (1,4): (2-0)/6 + (6-3)/6 = 5/6;  (2,3): (5-1)/6 + (4-1)/6 = 7/6;  (5,1): (6-2)/6 + (3-0)/6 = 7/6.
        double[][] points = [[9, 9], [2, 3], [6, 0], [0, 6], [5, 1], [1, 4]];
        int[] front = [5, 1, 2, 3, 4];
        var distance = CrowdingDistance.Compute(points, front);
        Assert.Equal(5.0 / 6.0, distance[0], 1e-15);
        Assert.Equal(7.0 / 6.0, distance[1], 1e-15);
        Assert.Equal(double.PositiveInfinity, distance[2]);
        Assert.Equal(double.PositiveInfinity, distance[3]);
        Assert.Equal(7.0 / 6.0, distance[4], 1e-15);
    }

    [Fact]
    public void Small_fronts_are_all_boundary_and_constant_objectives_add_nothing()
    {
        double[][] points = [[1, 5], [2, 5], [3, 5], [4, 5]];
        Assert.Equal([double.PositiveInfinity, double.PositiveInfinity], CrowdingDistance.Compute(points, [0, 3]));
        Assert.Equal([double.PositiveInfinity], CrowdingDistance.Compute(points, [2]));
        Assert.Empty(CrowdingDistance.Compute(points, []));
        Assert.Equal([double.PositiveInfinity, 2.0 / 3.0, 2.0 / 3.0, double.PositiveInfinity], CrowdingDistance.Compute(points, [0, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => CrowdingDistance.Compute(points, [0, 9]));
    }
}
