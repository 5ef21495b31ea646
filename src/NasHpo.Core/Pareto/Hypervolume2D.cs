using System.Buffers;

namespace NasHpo.Core.Pareto;

/// <summary>Two-objective hypervolume and exclusive contributions by one sweep after a sort: O(n log n).</summary>
internal static class Hypervolume2D
{
    /// <summary>Hypervolume of points strictly inside the reference (row-major, two values a row).</summary>
    public static double Compute(double[] points, int count, double referenceX, double referenceY)
    {
        // Pooled: arrays of this size would land on the large-object heap and cost a full collection now and then.
        var xs = ArrayPool<double>.Shared.Rent(count);
        var ys = ArrayPool<double>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                xs[i] = points[2 * i];
                ys[i] = points[(2 * i) + 1];
            }

            Array.Sort(xs, ys, 0, count);

            // In order of the first objective, each new lowest second objective adds the horizontal slab between it
            // and the previous lowest, which no earlier point covers and every later one leaves as it is. Ties in the
            // first objective may come in any order: the slabs then stack up to the same area.
            var volume = 0.0;
            var lowestY = referenceY;
            for (var i = 0; i < count; i++)
            {
                var y = ys[i];
                if (y < lowestY)
                {
                    volume += (referenceX - xs[i]) * (lowestY - y);
                    lowestY = y;
                }
            }

            return volume;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(xs);
            ArrayPool<double>.Shared.Return(ys);
        }
    }

    /// <summary>
    /// Exclusive contribution of each point (aligned with the rows): the area only it dominates. A point on the
    /// staircase owns the rectangle up to its two neighbours, minus what the points it alone dominates still cover
    /// inside it (each such point lies in exactly one rectangle, so that is linear after the sort). Dominated and
    /// duplicated points get 0.
    /// </summary>
    public static double[] Contributions(double[] points, int count, double referenceX, double referenceY)
    {
        var contributions = new double[count];
        if (count == 0)
        {
            return contributions;
        }

        var order = LexicographicOrder.Sort(points, count, 2);

        // Pass 1: the staircase and, for each of its points, the bound above it (the previous point's y).
        var onStaircase = new bool[count];
        var upperBound = new double[count];
        var lowestY = referenceY;
        foreach (var i in order)
        {
            var y = points[(2 * i) + 1];
            if (y < lowestY)
            {
                onStaircase[i] = true;
                upperBound[i] = lowestY;
                lowestY = y;
            }
        }

        // Pass 2: after the lexicographic sort, the points owned by a staircase point come right after it and before
        // the next staircase point, whose x closes the rectangle.
        var k = 0;
        while (k < count)
        {
            var owner = order[k];
            var ownerX = points[2 * owner];
            var ownerY = points[(2 * owner) + 1];
            var top = upperBound[owner];
            var next = k + 1;
            while (next < count && !onStaircase[order[next]])
            {
                next++;
            }

            var right = next < count ? points[2 * order[next]] : referenceX;
            var covered = 0.0;
            var coveredY = top;
            for (var m = k + 1; m < next; m++)
            {
                var q = order[m];
                var y = points[(2 * q) + 1];
                if (y < coveredY)
                {
                    covered += (right - points[2 * q]) * (coveredY - y);
                    coveredY = y;
                }
            }

            contributions[owner] = Math.Max(0.0, ((right - ownerX) * (top - ownerY)) - covered);
            k = next;
        }

        return contributions;
    }
}
