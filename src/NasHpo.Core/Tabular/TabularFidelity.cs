using MathNet.Numerics.Statistics;

namespace NasHpo.Core.Tabular;

/// <summary>
/// How well a low budget ranks configurations as the table's maximum budget does, for one value (validation error,
/// say): at each epoch e, the Spearman rank correlation of the runs' values at e with their values at the maximum
/// epoch, and the share of the best third at e (what successive halving with η = 3 keeps) that is in the best third at
/// the maximum. Low-budget screening can only save epochs where these are high (paper 000 warns that they need not be).
/// Runs that diverged before the maximum epoch are left out.
/// </summary>
internal static class TabularFidelity
{
    /// <summary>One epoch's agreement with the maximum epoch, over <paramref name="Runs"/> runs.</summary>
    public sealed record RankAgreement(int Epoch, double Spearman, double BestThirdKept, int Runs);

    public static IReadOnlyList<RankAgreement> RankAgreements(TabularTable table, string metric)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(metric);
        var runs = table.Runs.Where(r => TabularTable.ValueAt(r, metric, table.MaxEpoch) is not null).ToArray();
        if (runs.Length < 3)
        {
            return [];
        }

        var final = runs.Select(r => TabularTable.ValueAt(r, metric, table.MaxEpoch)!.Value).ToArray();
        var third = Math.Max(1, runs.Length / 3);
        var bestAtEnd = BestIndices(final, third);
        return Enumerable.Range(1, table.MaxEpoch).Select(epoch =>
        {
            var early = runs.Select(r => TabularTable.ValueAt(r, metric, epoch)!.Value).ToArray();
            var kept = BestIndices(early, third).Count(bestAtEnd.Contains);
            return new RankAgreement(epoch, Correlation.Spearman(early, final), (double)kept / third, runs.Length);
        }).ToArray();
    }

    /// <summary>The indices of the <paramref name="count"/> smallest values (ties by index, so the choice is stable).</summary>
    private static HashSet<int> BestIndices(double[] values, int count) =>
        values.Select((v, i) => (Value: v, Index: i)).OrderBy(p => p.Value).ThenBy(p => p.Index).Take(count).Select(p => p.Index).ToHashSet();
}
