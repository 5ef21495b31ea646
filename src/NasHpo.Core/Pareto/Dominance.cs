namespace NasHpo.Core.Pareto;

/// <summary>Pareto dominance between two points; every objective is minimised.</summary>
internal static class Dominance
{
    /// <summary>a dominates b: no worse in every objective, strictly better in one.</summary>
    public static bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Points of different dimension cannot be compared: {a.Length} and {b.Length} objectives.", nameof(b));
        }

        var strictlyBetter = false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] > b[i])
            {
                return false;
            }

            if (a[i] < b[i])
            {
                strictlyBetter = true;
            }
        }

        return strictlyBetter;
    }
}
