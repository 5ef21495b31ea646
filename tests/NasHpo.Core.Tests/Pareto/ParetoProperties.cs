using CsCheck;
using NasHpo.Core.Pareto;

namespace NasHpo.Core.Tests.Pareto;

/// <summary>
/// Properties of the hypervolume and of non-dominated sorting over generated fronts. Coordinates are small integers
/// (with ties and duplicates) so that the brute-force references are exact and equality is exact; a failing case is
/// shrunk and printed with the seed that reproduces it.
/// </summary>
public sealed class ParetoProperties
{
    private const int Cases = 300;

    /// <summary>Up to <paramref name="maxCount"/> points of <paramref name="dimension"/> coordinates in [-3, 6].</summary>
    private static Gen<double[][]> Points(int dimension, int maxCount) =>
        Gen.Int[-3, 6].Select(v => (double)v).Array[dimension].Array[0, maxCount];

    private static Gen<double[]> Reference(int dimension) => Gen.Int[-1, 7].Select(v => (double)v).Array[dimension];

    private static string Show(double[][] points) => "[" + string.Join(", ", points.Select(p => "(" + string.Join(", ", p) + ")")) + "]";

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void The_hypervolume_equals_inclusion_exclusion_on_small_fronts(int dimension) =>
        Gen.Select(Points(dimension, 9), Reference(dimension)).Sample(
            (points, reference) => Assert.Equal(BruteForce.HypervolumeInclusionExclusion(points, reference), Hypervolume.Compute(points, reference)),
            iter: Cases,
            print: t => $"points {Show(t.Item1)}, reference ({string.Join(", ", t.Item2)})");

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void The_hypervolume_equals_the_count_of_covered_grid_cells(int dimension) =>
        Gen.Select(Points(dimension, 20), Gen.Int[0, 7].Array[dimension]).Sample(
            (points, reference) =>
            {
                // Cells [c, c + 1) from -3 up to the reference: a point covers the cells it is no worse than.
                var cells = BruteForce.HypervolumeGrid(points, reference, -3);
                Assert.Equal((double)cells, Hypervolume.Compute(points, reference.Select(r => (double)r).ToArray()));
            },
            iter: Cases,
            print: t => $"points {Show(t.Item1)}, reference ({string.Join(", ", t.Item2)})");

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Adding_a_point_never_lowers_the_hypervolume(int dimension) =>
        Gen.Select(Points(dimension, 15), Gen.Int[-3, 6].Select(v => (double)v).Array[dimension], Reference(dimension)).Sample(
            (points, added, reference) =>
            {
                var before = Hypervolume.Compute(points, reference);
                var after = Hypervolume.Compute([.. points, added], reference);
                Assert.True(after >= before, $"{after} < {before}");
            },
            iter: Cases,
            print: t => $"points {Show(t.Item1)}, added ({string.Join(", ", t.Item2)}), reference ({string.Join(", ", t.Item3)})");

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_point_outside_the_reference_box_contributes_nothing(int dimension) =>
        Gen.Select(Points(dimension, 12), Gen.Int[0, dimension - 1], Gen.Int[0, 4], Reference(dimension)).Sample(
            (points, axis, beyond, reference) =>
            {
                // At or past the reference in one objective (anything in the others): it bounds no volume.
                var outside = points.Length == 0 ? new double[dimension] : (double[])points[0].Clone();
                outside[axis] = reference[axis] + beyond;
                var with = Hypervolume.Compute([.. points, outside], reference);
                Assert.Equal(Hypervolume.Compute(points, reference), with);
                Assert.Equal(0.0, Hypervolume.Contributions([.. points, outside], reference)[^1]);
            },
            iter: Cases,
            print: t => $"points {Show(t.Item1)}, axis {t.Item2}, beyond {t.Item3}, reference ({string.Join(", ", t.Item4)})");

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Non_dominated_sorting_agrees_with_dominance(int dimension) =>
        Points(dimension, 40).Sample(
            points =>
            {
                var fronts = NonDominatedSorting.Sort(points);

                // Every point is in exactly one front.
                Assert.Equal(Enumerable.Range(0, points.Length), fronts.SelectMany(f => f).Order());
                for (var k = 0; k < fronts.Length; k++)
                {
                    Assert.NotEmpty(fronts[k]);

                    // No point of a front dominates another of the same front.
                    foreach (var a in fronts[k])
                    {
                        Assert.DoesNotContain(fronts[k], b => Dominance.Dominates(points[a], points[b]));
                    }

                    // Every point of front k + 1 is dominated by a point of an earlier front (by one of front k, in fact).
                    if (k > 0)
                    {
                        foreach (var b in fronts[k])
                        {
                            Assert.Contains(fronts[k - 1], a => Dominance.Dominates(points[a], points[b]));
                        }
                    }
                }

                // The first front is what FirstFront finds.
                Assert.Equal(fronts.Length == 0 ? [] : fronts[0], NonDominatedSorting.FirstFront(points));
            },
            iter: Cases,
            print: Show);
}
