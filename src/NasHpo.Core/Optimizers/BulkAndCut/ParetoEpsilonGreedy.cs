using NasHpo.Core.Pareto;

namespace NasHpo.Core.Optimizers.BulkAndCut;

/// <summary>
/// Parent selection of BULK &amp; CUT ("Paretslon-greedy", paper 001, Algorithm 6): sort the population into
/// non-dominated fronts; with probability 1 - ε take a member of the first front uniformly, otherwise set that front
/// aside and decide again on the rest. The last front is taken whatever the draw, so with ε = 0.15 a parent comes
/// from the first front at least 85 % of the time and from the second about 13 %.
/// </summary>
internal static class ParetoEpsilonGreedy
{
    /// <summary>The index of the chosen parent in <paramref name="objectives"/> (minimisation space).</summary>
    public static int Select(IReadOnlyList<double[]> objectives, double epsilon, Random random)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(random);
        if (objectives.Count == 0)
        {
            throw new ArgumentException("the population is empty: there is no parent to choose", nameof(objectives));
        }

        if (!(epsilon is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε is a probability in [0, 1]");
        }

        var fronts = NonDominatedSorting.Sort(objectives);
        for (var f = 0; ; f++)
        {
            // Exploit with probability 1 - ε; explore by moving on to the next front.
            if (f == fronts.Length - 1 || random.NextDouble() >= epsilon)
            {
                return fronts[f][random.Next(fronts[f].Length)];
            }
        }
    }
}
