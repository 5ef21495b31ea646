namespace NasHpo.Core.Pareto;

/// <summary>
/// Exact hypervolume of rows strictly inside the reference, dispatched on the number of objectives, and the
/// exclusive contribution of one point (its box minus the hypervolume of the others clipped to it, as in WFG).
/// </summary>
internal static class HypervolumeKernel
{
    public static double Compute(double[] points, int count, int dimension, ReadOnlySpan<double> reference)
    {
        if (count == 0)
        {
            return 0.0;
        }

        if (count == 1)
        {
            return BoxVolume(points, 0, dimension, reference);
        }

        switch (dimension)
        {
            case 1:
                var lowest = points[0];
                for (var i = 1; i < count; i++)
                {
                    lowest = Math.Min(lowest, points[i]);
                }

                return reference[0] - lowest;
            case 2:
                return Hypervolume2D.Compute(points, count, reference[0], reference[1]);
            case 3:
                return Hypervolume3D.Compute(points, count, reference[0], reference[1], reference[2]);
            case 4:
                return Hypervolume4D.Compute(points, count, reference);
            default:
                return HypervolumeSweep.Compute(points, count, dimension, reference);
        }
    }

    /// <summary>Volume of the box between row and the reference.</summary>
    public static double BoxVolume(double[] points, int row, int dimension, ReadOnlySpan<double> reference)
    {
        var volume = 1.0;
        var start = row * dimension;
        for (var j = 0; j < dimension; j++)
        {
            volume *= reference[j] - points[start + j];
        }

        return volume;
    }

    /// <summary>
    /// Volume that row p of pointsP adds to the rows of set (all but skip, -1 for none); false, with 0, when a row of
    /// the set weakly dominates p. clip and scratch need room for the set.
    /// </summary>
    public static bool TryContribution(
        double[] pointsP,
        int p,
        double[] set,
        int count,
        int skip,
        int dimension,
        ReadOnlySpan<double> reference,
        double[] clip,
        double[] scratch,
        out double contribution)
    {
        contribution = 0.0;
        var pRow = p * dimension;
        var clipped = 0;
        for (var q = 0; q < count; q++)
        {
            if (q == skip)
            {
                continue;
            }

            var qRow = q * dimension;
            var target = clipped * dimension;
            var noWorse = true;
            for (var j = 0; j < dimension; j++)
            {
                var a = set[qRow + j];
                var b = pointsP[pRow + j];
                noWorse &= a <= b;
                clip[target + j] = a > b ? a : b;
            }

            if (noWorse)
            {
                return false;
            }

            clipped++;
        }

        var box = BoxVolume(pointsP, p, dimension, reference);
        if (clipped == 0)
        {
            contribution = box;
            return true;
        }

        var limit = NonDominatedFilter.Filter(clip, clipped, dimension, scratch);
        contribution = Math.Max(0.0, box - Compute(scratch, limit, dimension, reference));
        return true;
    }
}
