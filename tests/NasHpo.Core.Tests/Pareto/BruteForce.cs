using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Pareto;

/// <summary>Slow, obviously right references the fast algorithms are checked against.</summary>
internal static class BruteForce
{
    /// <summary>Hypervolume by inclusion–exclusion over all non-empty subsets (n ≤ ~12).</summary>
    public static double HypervolumeInclusionExclusion(IReadOnlyList<double[]> points, double[] reference)
    {
        var inside = points.Where(p => p.Zip(reference).All(t => t.First < t.Second)).ToArray();
        var d = reference.Length;
        var total = 0.0;
        var corner = new double[d];
        for (var mask = 1; mask < 1 << inside.Length; mask++)
        {
            Array.Fill(corner, double.NegativeInfinity);
            var bits = 0;
            for (var i = 0; i < inside.Length; i++)
            {
                if ((mask & (1 << i)) == 0)
                {
                    continue;
                }

                bits++;
                for (var j = 0; j < d; j++)
                {
                    corner[j] = Math.Max(corner[j], inside[i][j]);
                }
            }

            var volume = 1.0;
            for (var j = 0; j < d; j++)
            {
                volume *= reference[j] - corner[j];
            }

            total += bits % 2 == 1 ? volume : -volume;
        }

        return total;
    }

    /// <summary>Hypervolume of integer points by counting the unit cells [c, c+1) some point is no worse than.</summary>
    public static long HypervolumeGrid(IReadOnlyList<double[]> points, int[] reference, int lowest)
    {
        var d = reference.Length;
        var cell = new int[d];
        Array.Fill(cell, lowest);
        long count = 0;
        while (true)
        {
            foreach (var p in points)
            {
                var covers = true;
                for (var j = 0; j < d && covers; j++)
                {
                    covers = p[j] <= cell[j];
                }

                if (covers)
                {
                    count++;
                    break;
                }
            }

            var k = 0;
            while (k < d && ++cell[k] >= reference[k])
            {
                cell[k] = lowest;
                k++;
            }

            if (k == d)
            {
                return count;
            }
        }
    }

    /// <summary>Fronts by peeling: rank = length of the longest chain of dominators.</summary>
    public static int[][] Sort(IReadOnlyList<double[]> points)
    {
        var remaining = Enumerable.Range(0, points.Count).ToList();
        var fronts = new List<int[]>();
        while (remaining.Count > 0)
        {
            var front = remaining
                .Where(i => !remaining.Any(j => Dominates(points[j], points[i])))
                .ToArray();
            fronts.Add(front);
            remaining = remaining.Except(front).ToList();
        }

        return [.. fronts];
    }

    public static bool Dominates(double[] a, double[] b)
    {
        var strictly = false;
        for (var j = 0; j < a.Length; j++)
        {
            if (a[j] > b[j])
            {
                return false;
            }

            strictly |= a[j] < b[j];
        }

        return strictly;
    }

    /// <summary>The greedy removal of paper 001 A.2 with inclusion–exclusion contributions.</summary>
    public static int[] GreedySelection(IReadOnlyList<double[]> points, int k, double[] reference)
    {
        var kept = Enumerable.Range(0, points.Count).ToList();
        while (kept.Count > k)
        {
            var all = HypervolumeInclusionExclusion(kept.Select(i => points[i]).ToArray(), reference);
            var worst = -1;
            var worstContribution = double.PositiveInfinity;
            foreach (var candidate in kept)
            {
                var contribution = all - HypervolumeInclusionExclusion(kept.Where(i => i != candidate).Select(i => points[i]).ToArray(), reference);
                if (contribution <= worstContribution)
                {
                    worst = candidate;
                    worstContribution = contribution;
                }
            }

            kept.Remove(worst);
        }

        return [.. kept];
    }

    /// <summary>Integer points in [low, high] per objective: small ranges give many duplicates and ties.</summary>
    public static double[][] IntegerPoints(DeterministicRandom random, int count, int dimension, int low, int high) =>
        Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => (double)random.Next(low, high + 1)).ToArray())
            .ToArray();

    /// <summary>Points drawn uniformly on the positive orthant of the unit sphere: mutually non-dominated.</summary>
    public static double[][] SpherePoints(DeterministicRandom random, int count, int dimension)
    {
        var points = new double[count][];
        for (var i = 0; i < count; i++)
        {
            var p = new double[dimension];
            var norm = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                p[j] = Math.Abs(random.NextGaussian());
                norm += p[j] * p[j];
            }

            norm = Math.Sqrt(norm);
            for (var j = 0; j < dimension; j++)
            {
                p[j] /= norm;
            }

            points[i] = p;
        }

        return points;
    }
}
