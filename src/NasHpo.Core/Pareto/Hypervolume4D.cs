namespace NasHpo.Core.Pareto;

/// <summary>
/// Four-objective hypervolume: a sweep over the fourth objective that keeps the three-objective volume of the points
/// seen so far up to date with <see cref="Front3D"/>, which yields each point's added volume in linear time: O(n²).
/// </summary>
internal static class Hypervolume4D
{
    public static double Compute(double[] points, int count, ReadOnlySpan<double> reference)
    {
        var ws = new double[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            ws[i] = points[(4 * i) + 3];
            order[i] = i;
        }

        Array.Sort(ws, order);
        var front = new Front3D(count, reference[0], reference[1], reference[2]);
        var volume3 = 0.0;
        var volume = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (k > 0)
            {
                volume += volume3 * (ws[k] - ws[k - 1]);
            }

            var row = 4 * order[k];
            volume3 += front.Insert(points[row], points[row + 1], points[row + 2]);
        }

        volume += volume3 * (reference[3] - ws[count - 1]);
        return volume;
    }
}
