using NasHpo.Core.Pareto;

namespace NasHpo.Core.Fidelity;

/// <summary>How a multi-objective rung ranks its results for promotion.</summary>
internal enum PromotionRanking
{
    /// <summary>
    /// Paper 001's rule (§3.1–3.2): whole non-dominated fronts of the rung in order, then hypervolume subset
    /// selection on the front that does not fit. It judges a rung by itself.
    /// </summary>
    NonDominatedSorting,

    /// <summary>
    /// The results whose maximum-budget outcome should add most hypervolume to the front the study has already found
    /// at the maximum budget (<see cref="Promotion.SelectByHypervolumeGain"/>). A rung of a few configurations always
    /// has a non-dominated front, often a network that is only on it for being tiny; when the study's front already
    /// covers that corner, promoting it buys nothing, and the budget goes to a configuration that can still improve
    /// the front.
    /// </summary>
    HypervolumeGain,
}

/// <summary>
/// Which configurations of a rung move up: the best k by one objective, or, with several objectives, whole
/// non-dominated fronts in order and then hypervolume subset selection on the front that does not fit
/// (paper 001, §3.1–3.2), or by the hypervolume they should add to the front found so far.
/// </summary>
internal static class Promotion
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

    /// <summary>
    /// Indices (ascending) of the k points expected to add the most hypervolume to <paramref name="front"/>, the
    /// results found so far at the maximum budget. Each point is first moved by <paramref name="expectedImprovement"/>
    /// (what the objectives typically gain from its budget to the maximum; zero for an objective that training does
    /// not change, such as the parameter count), then chosen greedily: the point whose moved value adds most to the
    /// front and the points already chosen. Ties (most often several points that would add nothing) go to the
    /// lower non-dominated rank within the rung, then the smaller first objective, then the lower index. With an empty
    /// front this is greedy hypervolume subset selection of the moved points against <paramref name="reference"/>.
    /// </summary>
    public static int[] SelectByHypervolumeGain(
        IReadOnlyList<double[]> points,
        int k,
        IReadOnlyList<double[]> front,
        ReadOnlySpan<double> reference,
        ReadOnlySpan<double> expectedImprovement)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(front);
        if (k <= 0 || points.Count == 0)
        {
            return [];
        }

        if (k >= points.Count)
        {
            return Enumerable.Range(0, points.Count).ToArray();
        }

        var dimensions = reference.Length;
        if (points.Any(p => p.Length != dimensions) || expectedImprovement.Length != dimensions)
        {
            throw new ArgumentException($"points, the reference and the expected improvement must all have {dimensions} objectives");
        }

        var rank = new int[points.Count];
        var fronts = NonDominatedSorting.Sort(points);
        for (var r = 0; r < fronts.Length; r++)
        {
            foreach (var i in fronts[r])
            {
                rank[i] = r;
            }
        }

        var improvement = expectedImprovement.ToArray();
        var moved = points.Select(p => p.Select((v, d) => v - improvement[d]).ToArray()).ToArray();

        // Only the non-dominated part of the front can be improved upon; the rest would only slow every computation.
        var finite = front.Where(p => p.Length == dimensions && p.All(double.IsFinite)).ToList();
        var current = NonDominatedSorting.FirstFront(finite).Select(i => finite[i]).ToList();
        var referenceArray = reference.ToArray();
        var baseVolume = Hypervolume.Compute(current, referenceArray);
        var chosen = new List<int>(k);
        var remaining = Enumerable.Range(0, points.Count).ToList();
        for (var pick = 0; pick < k; pick++)
        {
            var best = -1;
            var bestGain = double.NegativeInfinity;
            foreach (var i in remaining)
            {
                current.Add(moved[i]);
                var gain = Hypervolume.Compute(current, referenceArray) - baseVolume;
                current.RemoveAt(current.Count - 1);
                if (best < 0 || gain > bestGain + (1e-12 * Math.Max(1.0, Math.Abs(baseVolume))) || (Math.Abs(gain - bestGain) <= 1e-12 * Math.Max(1.0, Math.Abs(baseVolume)) && Before(i, best)))
                {
                    best = i;
                    bestGain = Math.Max(gain, bestGain);
                }
            }

            chosen.Add(best);
            remaining.Remove(best);
            current.Add(moved[best]);
            baseVolume = Hypervolume.Compute(current, referenceArray);
        }

        chosen.Sort();
        return chosen.ToArray();

        bool Before(int i, int j) =>
            rank[i] != rank[j] ? rank[i] < rank[j]
            : points[i][0] != points[j][0] ? points[i][0] < points[j][0]
            : i < j;
    }
}
