using System.Buffers;

namespace NasHpo.Core.Pareto;

/// <summary>
/// Orders the rows of a row-major buffer lexicographically (ties by row index). In this order a point can only be
/// dominated by points before it, which is what the sweeps and the sort-then-compare sorting rely on.
/// </summary>
internal static class LexicographicOrder
{
    public static int[] Sort(double[] points, int count, int dimension)
    {
        var order = new int[count];
        Sort(points, count, dimension, order);
        return order;
    }

    /// <summary>Writes the order into order[0..count).</summary>
    public static void Sort(double[] points, int count, int dimension, int[] order)
    {
        var keys = ArrayPool<double>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                keys[i] = points[i * dimension];
                order[i] = i;
            }

            // The primitive key sort is much faster than a comparison delegate; only runs of equal first objectives
            // need the full comparison.
            Array.Sort(keys, order, 0, count);
            IComparer<int>? comparer = null;
            var start = 0;
            while (start < count)
            {
                var end = start + 1;
                while (end < count && keys[end] == keys[start])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    comparer ??= new RowComparer(points, dimension);
                    Array.Sort(order, start, end - start, comparer);
                }

                start = end;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(keys);
        }
    }

    private sealed class RowComparer(double[] points, int dimension) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var a = x * dimension;
            var b = y * dimension;
            for (var j = 0; j < dimension; j++)
            {
                var c = points[a + j].CompareTo(points[b + j]);
                if (c != 0)
                {
                    return c;
                }
            }

            return x.CompareTo(y);
        }
    }
}
