using System.Buffers;

namespace NasHpo.Core.Pareto;

/// <summary>
/// Three-objective hypervolume by the dimension sweep of Beume et al. (2009) / Fonseca, Paquete and López-Ibáñez
/// (2006): points in increasing third objective are added to a two-objective staircase whose area is kept up to date,
/// and the volume grows by area times the step in the third objective. The staircase lives in a bit-tree over the
/// points' ranks in (first, second) order, so every query is a few word operations: O(n log n) in all.
/// </summary>
internal static class Hypervolume3D
{
    public static double Compute(double[] points, int count, double referenceX, double referenceY, double referenceZ)
    {
        // Pooled scratch: fresh arrays of this size land on the large-object heap and each call would pay for the
        // full collections they trigger.
        var doubles = ArrayPool<double>.Shared;
        var ints = ArrayPool<int>.Shared;
        var byXy = ints.Rent(count);
        var rankOf = ints.Rent(count);
        var byZ = ints.Rent(count);
        var xs = doubles.Rent(count);
        var ys = doubles.Rent(count);
        var zs = doubles.Rent(count);
        try
        {
            LexicographicOrder.Sort(points, count, 3, byXy);
            for (var r = 0; r < count; r++)
            {
                var i = byXy[r];
                rankOf[i] = r;
                xs[r] = points[3 * i];
                ys[r] = points[(3 * i) + 1];
            }

            for (var i = 0; i < count; i++)
            {
                zs[i] = points[(3 * i) + 2];
                byZ[i] = i;
            }

            Array.Sort(zs, byZ, 0, count);
            return Sweep(count, rankOf, byZ, xs, ys, zs, referenceX, referenceY, referenceZ);
        }
        finally
        {
            ints.Return(byXy);
            ints.Return(rankOf);
            ints.Return(byZ);
            doubles.Return(xs);
            doubles.Return(ys);
            doubles.Return(zs);
        }
    }

    private static double Sweep(
        int count,
        int[] rankOf,
        int[] byZ,
        double[] xs,
        double[] ys,
        double[] zs,
        double referenceX,
        double referenceY,
        double referenceZ)
    {
        var staircase = new RankSet(count);
        var area = 0.0;
        var volume = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (k > 0)
            {
                volume += area * (zs[k] - zs[k - 1]);
            }

            var rank = rankOf[byZ[k]];
            var px = xs[rank];
            var py = ys[rank];

            // The predecessor in (x, y) order has x <= px; if its y is not above py it covers the whole new box.
            var predecessor = staircase.Predecessor(rank);
            if (predecessor >= 0 && ys[predecessor] <= py)
            {
                continue;
            }

            // Walk right over the staircase points the new one dominates; the gained area is, column by column, what
            // lies between py and the staircase height there.
            var height = predecessor >= 0 ? ys[predecessor] : referenceY;
            var left = px;
            var gain = 0.0;
            var successor = staircase.Successor(rank);
            while (successor >= 0 && ys[successor] >= py)
            {
                gain += (xs[successor] - left) * (height - py);
                height = ys[successor];
                left = xs[successor];
                staircase.Remove(successor);
                successor = staircase.Successor(successor);
            }

            var right = successor >= 0 ? xs[successor] : referenceX;
            gain += (right - left) * (height - py);
            staircase.Add(rank);
            area += gain;
        }

        volume += area * (referenceZ - zs[count - 1]);
        return volume;
    }
}
