namespace NasHpo.Core.Pareto;

/// <summary>Keeps one copy of each non-dominated row of a row-major buffer (the limit sets of the recursion).</summary>
internal static class NonDominatedFilter
{
    /// <summary>Writes the non-dominated rows of source into target (duplicates once) and returns their count.</summary>
    public static int Filter(double[] source, int count, int dimension, double[] target)
    {
        // Rows in increasing coordinate sum meet their dominators first (a floating-point sum is monotone), so the
        // removal branch below is rare; it keeps the result right when rounding ties a sum.
        var sums = new double[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            var sum = 0.0;
            var row = i * dimension;
            for (var j = 0; j < dimension; j++)
            {
                sum += source[row + j];
            }

            sums[i] = sum;
            order[i] = i;
        }

        Array.Sort(sums, order);
        var kept = 0;
        for (var k = 0; k < count; k++)
        {
            var row = order[k] * dimension;
            var dominated = false;
            var write = 0;
            for (var m = 0; m < kept; m++)
            {
                var other = m * dimension;
                var otherNoWorse = true;
                var rowNoWorse = true;
                for (var j = 0; j < dimension; j++)
                {
                    var a = target[other + j];
                    var b = source[row + j];
                    otherNoWorse &= a <= b;
                    rowNoWorse &= b <= a;
                }

                // Kept rows form an antichain, so a row with a dominator among them dominates none of them and no
                // compaction has happened yet when this breaks out.
                if (otherNoWorse)
                {
                    dominated = true;
                    break;
                }

                if (!rowNoWorse)
                {
                    if (write != m)
                    {
                        Array.Copy(target, other, target, write * dimension, dimension);
                    }

                    write++;
                }
            }

            if (dominated)
            {
                continue;
            }

            kept = write;
            Array.Copy(source, row, target, kept * dimension, dimension);
            kept++;
        }

        return kept;
    }
}
