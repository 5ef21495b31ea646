using NasHpo.Core.Pareto;

namespace NasHpo.Core.Fidelity;

/// <summary>
/// Which configurations of a rung move up: the best k by one objective, or, with several objectives, whole
/// non-dominated fronts in order and then hypervolume subset selection on the front that does not fit
/// (paper 001, §3.1–3.2).
/// </summary>
public static class Promotion
{
    /// <summary>
    /// Indices (ascending) of the k best points in minimisation space. With one objective ties go to the lower
    /// index. With several, the front that does not fit is cut by greedy HSSP against a reference point just
    /// beyond the worst values of that front, so that every member can contribute.
    /// </summary>
    public static int[] SelectBest(IReadOnlyList<double[]> points, int k)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (k <= 0 || points.Count == 0)
        {
            return [];
        }

        if (k >= points.Count)
        {
            return Enumerable.Range(0, points.Count).ToArray();
        }

        if (points[0].Length == 1)
        {
            return Enumerable.Range(0, points.Count)
                .OrderBy(i => points[i][0])
                .ThenBy(i => i)
                .Take(k)
                .Order()
                .ToArray();
        }

        var selected = new List<int>(k);
        foreach (var front in NonDominatedSorting.Sort(points))
        {
            var room = k - selected.Count;
            if (front.Length <= room)
            {
                selected.AddRange(front);
                if (selected.Count == k)
                {
                    break;
                }

                continue;
            }

            var members = front.Select(i => points[i]).ToArray();
            var kept = HypervolumeSubsetSelection.SelectGreedy(members, room, ReferenceBeyond(members));
            selected.AddRange(kept.Select(j => front[j]));
            break;
        }

        selected.Sort();
        return selected.ToArray();
    }

    /// <summary>A reference point 10 % of the range (at least a small absolute margin) beyond the worst value of each objective.</summary>
    public static double[] ReferenceBeyond(IReadOnlyList<double[]> points)
    {
        var dimensions = points[0].Length;
        var reference = new double[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            var worst = double.NegativeInfinity;
            var best = double.PositiveInfinity;
            foreach (var p in points)
            {
                worst = Math.Max(worst, p[d]);
                best = Math.Min(best, p[d]);
            }

            var margin = Math.Max(0.1 * (worst - best), 1e-9 * Math.Max(1.0, Math.Abs(worst)));
            reference[d] = worst + margin;
        }

        return reference;
    }
}
