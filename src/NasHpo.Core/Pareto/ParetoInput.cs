namespace NasHpo.Core.Pareto;

/// <summary>Argument checks and the copy into flat row-major buffers that every kernel works on.</summary>
internal static class ParetoInput
{
    /// <summary>The common number of objectives of the points (0 when there are none).</summary>
    public static int CommonDimension(IReadOnlyList<double[]> points, string paramName)
    {
        ArgumentNullException.ThrowIfNull(points, paramName);
        var dimension = -1;
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw new ArgumentException($"Point {i} is null.", paramName);
            if (dimension < 0)
            {
                dimension = point.Length;
                if (dimension == 0)
                {
                    throw new ArgumentException("Points must have at least one objective.", paramName);
                }
            }
            else if (point.Length != dimension)
            {
                throw new ArgumentException(
                    $"Point {i} has {point.Length} objectives but point 0 has {dimension}; all points must have the same number of objectives.",
                    paramName);
            }

            CheckNotNaN(point, i, paramName);
        }

        return Math.Max(dimension, 0);
    }

    /// <summary>Checks that the reference is usable and that every point has its dimension.</summary>
    public static void CheckAgainstReference(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference, string paramName)
    {
        ArgumentNullException.ThrowIfNull(points, paramName);
        CheckReference(reference);
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw new ArgumentException($"Point {i} is null.", paramName);
            if (point.Length != reference.Length)
            {
                throw new ArgumentException(
                    $"Point {i} has {point.Length} objectives but the reference point has {reference.Length}.",
                    paramName);
            }

            CheckNotNaN(point, i, paramName);
        }
    }

    public static void CheckReference(ReadOnlySpan<double> reference)
    {
        if (reference.IsEmpty)
        {
            throw new ArgumentException("The reference point must have at least one objective.", nameof(reference));
        }

        foreach (var value in reference)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException("The reference point contains NaN.", nameof(reference));
            }
        }
    }

    /// <summary>Copies all points into one row-major buffer.</summary>
    public static double[] Flatten(IReadOnlyList<double[]> points, int dimension)
    {
        var buffer = new double[points.Count * dimension];
        for (var i = 0; i < points.Count; i++)
        {
            points[i].AsSpan().CopyTo(buffer.AsSpan(i * dimension, dimension));
        }

        return buffer;
    }

    /// <summary>
    /// Copies the points strictly better than the reference in every objective (the only ones that dominate any volume)
    /// into a row-major buffer; originalIndex, when given, receives where each copied point came from.
    /// </summary>
    public static int FlattenInside(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference, double[] buffer, int[]? originalIndex)
    {
        var dimension = reference.Length;
        var count = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            if (!StrictlyInside(point, reference))
            {
                continue;
            }

            point.AsSpan().CopyTo(buffer.AsSpan(count * dimension, dimension));
            if (originalIndex is not null)
            {
                originalIndex[count] = i;
            }

            count++;
        }

        return count;
    }

    public static bool StrictlyInside(ReadOnlySpan<double> point, ReadOnlySpan<double> reference)
    {
        for (var j = 0; j < reference.Length; j++)
        {
            if (!(point[j] < reference[j]))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckNotNaN(double[] point, int index, string paramName)
    {
        foreach (var value in point)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException($"Point {index} contains NaN.", paramName);
            }
        }
    }
}
