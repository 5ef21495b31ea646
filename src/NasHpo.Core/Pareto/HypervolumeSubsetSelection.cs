namespace NasHpo.Core.Pareto;

/// <summary>Hypervolume subset selection (paper 001, appendix A.2; Bader and Zitzler 2011).</summary>
internal static class HypervolumeSubsetSelection
{
    /// <summary>Greedy HSSP: removes the least contributor one at a time until k points remain; returns the kept indices ascending.</summary>
    /// <remarks>
    /// Contributions are exclusive hypervolume contributions among the points still kept, recomputed after every
    /// removal (O(n log n) a step for two objectives). Equal contributions remove the higher index first, so the
    /// result is deterministic; points not strictly better than the reference, dominated points and duplicates
    /// contribute 0 and therefore go before any point that adds volume.
    /// </remarks>
    public static int[] SelectGreedy(IReadOnlyList<double[]> points, int k, ReadOnlySpan<double> reference)
    {
        ParetoInput.CheckAgainstReference(points, reference, nameof(points));
        if (k <= 0)
        {
            return [];
        }

        var kept = Enumerable.Range(0, points.Count).ToList();
        var subset = new List<double[]>(points.Count);
        while (kept.Count > k)
        {
            subset.Clear();
            foreach (var index in kept)
            {
                subset.Add(points[index]);
            }

            var contributions = Hypervolume.Contributions(subset, reference);
            var worst = kept.Count - 1;
            for (var m = kept.Count - 2; m >= 0; m--)
            {
                // Strictly smaller only: on a tie the later, higher index stays the one removed.
                if (contributions[m] < contributions[worst])
                {
                    worst = m;
                }
            }

            kept.RemoveAt(worst);
        }

        return [.. kept];
    }
}
