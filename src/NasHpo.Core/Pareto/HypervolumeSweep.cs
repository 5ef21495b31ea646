namespace NasHpo.Core.Pareto;

/// <summary>
/// Hypervolume for five or more objectives: a sweep over the last objective (the dimension-sweep recursion of
/// Fonseca, Paquete and López-Ibáñez 2006) in which the volume a point adds to the (d-1)-objective front seen so far is
/// its box minus the hypervolume of that front clipped to the box, after non-dominated filtering (the limit sets of
/// WFG, While, Bradstreet and Barone 2012). The recursion ends in the four-objective O(n²) sweep.
/// </summary>
internal static class HypervolumeSweep
{
    public static double Compute(double[] points, int count, int dimension, ReadOnlySpan<double> reference)
    {
        var inner = dimension - 1;
        var last = new double[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            last[i] = points[(i * dimension) + inner];
            order[i] = i;
        }

        Array.Sort(last, order);
        var innerReference = reference[..inner];

        // The (d-1)-objective projections seen so far, mutually non-dominated.
        var front = new double[count * inner];
        var frontCount = 0;
        var candidate = new double[inner];
        var clip = new double[count * inner];
        var scratch = new double[count * inner];

        var innerVolume = 0.0;
        var volume = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (k > 0)
            {
                volume += innerVolume * (last[k] - last[k - 1]);
            }

            Array.Copy(points, order[k] * dimension, candidate, 0, inner);
            if (!HypervolumeKernel.TryContribution(candidate, 0, front, frontCount, -1, inner, innerReference, clip, scratch, out var added))
            {
                continue;
            }

            innerVolume += added;
            frontCount = Replace(front, frontCount, candidate, inner);
        }

        volume += innerVolume * (reference[inner] - last[count - 1]);
        return volume;
    }

    // Drops the members the candidate weakly dominates and appends it.
    private static int Replace(double[] front, int count, double[] candidate, int dimension)
    {
        var write = 0;
        for (var m = 0; m < count; m++)
        {
            var row = m * dimension;
            var dominated = true;
            for (var j = 0; j < dimension && dominated; j++)
            {
                dominated = candidate[j] <= front[row + j];
            }

            if (dominated)
            {
                continue;
            }

            if (write != m)
            {
                Array.Copy(front, row, front, write * dimension, dimension);
            }

            write++;
        }

        Array.Copy(candidate, 0, front, write * dimension, dimension);
        return write + 1;
    }
}
