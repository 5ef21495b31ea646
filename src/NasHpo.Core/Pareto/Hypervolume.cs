using System.Buffers;

namespace NasHpo.Core.Pareto;

/// <summary>
/// Exact hypervolume indicator (minimisation): the volume dominated by the points and bounded by the reference.
/// O(n log n) for two and three objectives, O(n²) for four, a WFG-style recursion onto the four-objective case above.
/// </summary>
internal static class Hypervolume
{
    /// <summary>Exact hypervolume dominated by points and bounded by reference; points not strictly better than the reference in every objective contribute nothing.</summary>
    public static double Compute(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ParetoInput.CheckAgainstReference(points, reference, nameof(points));
        var dimension = reference.Length;

        // Pooled: a fresh buffer for a large front lands on the large-object heap, and the full collections that
        // brings cost more than the computation itself.
        var buffer = ArrayPool<double>.Shared.Rent(points.Count * dimension);
        try
        {
            var count = ParetoInput.FlattenInside(points, reference, buffer, null);
            return HypervolumeKernel.Compute(buffer, count, dimension, reference);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Exclusive contribution of every point (aligned with points); dominated or duplicated points contribute 0.</summary>
    /// <remarks>
    /// The contribution of a point is HV(all) - HV(all without it), so it also accounts for points it alone
    /// dominates. Points not strictly better than the reference contribute 0.
    /// </remarks>
    public static double[] Contributions(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ParetoInput.CheckAgainstReference(points, reference, nameof(points));
        var dimension = reference.Length;
        var result = new double[points.Count];
        var buffer = new double[points.Count * dimension];
        var originalIndex = new int[points.Count];
        var count = ParetoInput.FlattenInside(points, reference, buffer, originalIndex);
        if (count == 0)
        {
            return result;
        }

        var inside = dimension == 2
            ? Hypervolume2D.Contributions(buffer, count, reference[0], reference[1])
            : ContributionsByClipping(buffer, count, dimension, reference);
        for (var i = 0; i < count; i++)
        {
            result[originalIndex[i]] = inside[i];
        }

        return result;
    }

    private static double[] ContributionsByClipping(double[] points, int count, int dimension, ReadOnlySpan<double> reference)
    {
        var contributions = new double[count];
        var clip = new double[count * dimension];
        var scratch = new double[count * dimension];
        for (var i = 0; i < count; i++)
        {
            // A point weakly dominated by another one (a duplicate included) adds nothing.
            if (HypervolumeKernel.TryContribution(points, i, points, count, i, dimension, reference, clip, scratch, out var added))
            {
                contributions[i] = added;
            }
        }

        return contributions;
    }
}
