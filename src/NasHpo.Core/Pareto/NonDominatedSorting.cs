namespace NasHpo.Core.Pareto;

/// <summary>
/// Non-dominated sorting (paper 001, appendix A.1): F1 is the set of non-dominated points, F2 the non-dominated
/// points once F1 is removed, and so on. Identical points never dominate each other, so they share a front.
/// </summary>
internal static class NonDominatedSorting
{
    /// <summary>Fronts F1..Fk as arrays of indices into points (each front in ascending index order).</summary>
    public static int[][] Sort(IReadOnlyList<double[]> points)
    {
        var dimension = ParetoInput.CommonDimension(points, nameof(points));
        var count = points.Count;
        if (count == 0)
        {
            return [];
        }

        var flat = ParetoInput.Flatten(points, dimension);
        var order = LexicographicOrder.Sort(flat, count, dimension);
        var rank = new int[count];
        var fronts = dimension == 2
            ? RankTwoObjectives(flat, order, rank)
            : RankBySortThenCompare(flat, dimension, order, rank);
        return GroupByRank(rank, fronts);
    }

    /// <summary>Indices of the non-dominated points, in ascending index order.</summary>
    public static int[] FirstFront(IReadOnlyList<double[]> points)
    {
        var dimension = ParetoInput.CommonDimension(points, nameof(points));
        var count = points.Count;
        if (count == 0)
        {
            return [];
        }

        var flat = ParetoInput.Flatten(points, dimension);
        var order = LexicographicOrder.Sort(flat, count, dimension);
        var kept = new List<int>();
        foreach (var i in order)
        {
            // Lexicographic order: every point that dominates i was already seen, so i is in F1 exactly when no kept
            // point dominates it (points dominated by a kept point are themselves dominated by a kept point).
            var dominated = false;
            for (var k = kept.Count - 1; k >= 0; k--)
            {
                if (Dominates(flat, kept[k], i, dimension))
                {
                    dominated = true;
                    break;
                }
            }

            if (!dominated)
            {
                kept.Add(i);
            }
        }

        var result = kept.ToArray();
        Array.Sort(result);
        return result;
    }

    // Two objectives: after the lexicographic sort, a front dominates the next point exactly when the last point put
    // into it (its tail, the one with the smallest second objective) does, and the tails are sorted by
    // (second objective, first objective), so the front is found by binary search: O(n log n) in all.
    private static int RankTwoObjectives(double[] flat, int[] order, int[] rank)
    {
        var count = order.Length;
        var tailFirst = new double[count];
        var tailSecond = new double[count];
        var fronts = 0;
        foreach (var i in order)
        {
            var first = flat[2 * i];
            var second = flat[(2 * i) + 1];
            var low = 0;
            var high = fronts;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (tailSecond[middle] < second || (tailSecond[middle] == second && tailFirst[middle] < first))
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            rank[i] = low;
            tailFirst[low] = first;
            tailSecond[low] = second;
            if (low == fronts)
            {
                fronts++;
            }
        }

        return fronts;
    }

    // Any number of objectives: efficient non-dominated sort with binary search over the fronts (Zhang et al. 2015).
    // Points arrive in lexicographic order, so a rank is final once given; if no member of front k dominates a point,
    // no member of a later front does (each of those is dominated by a member of front k), hence the binary search.
    private static int RankBySortThenCompare(double[] flat, int dimension, int[] order, int[] rank)
    {
        var count = order.Length;

        // Rows in sorted order keep the inner loop on contiguous memory.
        var sorted = new double[flat.Length];
        for (var k = 0; k < count; k++)
        {
            Array.Copy(flat, order[k] * dimension, sorted, k * dimension, dimension);
        }

        var members = new List<List<int>>();
        for (var k = 0; k < count; k++)
        {
            var low = 0;
            var high = members.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (FrontDominates(sorted, members[middle], k, dimension))
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            if (low == members.Count)
            {
                members.Add([]);
            }

            members[low].Add(k);
            rank[order[k]] = low;
        }

        return members.Count;
    }

    private static bool FrontDominates(double[] sorted, List<int> front, int candidate, int dimension)
    {
        // The most recent members are the closest in the order, the likeliest to dominate.
        for (var m = front.Count - 1; m >= 0; m--)
        {
            if (Dominates(sorted, front[m], candidate, dimension))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Dominates(double[] flat, int a, int b, int dimension)
    {
        var pa = a * dimension;
        var pb = b * dimension;
        var strictlyBetter = false;
        for (var j = 0; j < dimension; j++)
        {
            var x = flat[pa + j];
            var y = flat[pb + j];
            if (x > y)
            {
                return false;
            }

            strictlyBetter |= x < y;
        }

        return strictlyBetter;
    }

    private static int[][] GroupByRank(int[] rank, int fronts)
    {
        var sizes = new int[fronts];
        foreach (var r in rank)
        {
            sizes[r]++;
        }

        var result = new int[fronts][];
        for (var f = 0; f < fronts; f++)
        {
            result[f] = new int[sizes[f]];
            sizes[f] = 0;
        }

        // Scanning indices in increasing order leaves every front sorted.
        for (var i = 0; i < rank.Length; i++)
        {
            var r = rank[i];
            result[r][sizes[r]++] = i;
        }

        return result;
    }
}
