using MathNet.Numerics.Statistics;

namespace NasHpo.Analysis.Importance;

/// <summary>A configuration's scalar objective value at one budget.</summary>
internal readonly record struct BudgetValue(long ConfigurationId, double Budget, double Value);

/// <summary>
/// How alike two budgets rank the configurations evaluated at both: Spearman's rho over the
/// <paramref name="SharedConfigurations"/> they share; NaN when the values at one budget are all equal (no ranking).
/// </summary>
internal sealed record BudgetRankCorrelation(double LowerBudget, double HigherBudget, int SharedConfigurations, double Spearman);

/// <summary>
/// Rank correlation across budgets, paper 000's check of whether cheap budgets rank configurations as expensive ones
/// do (where they do not, low-budget screening discards the wrong configurations).
/// </summary>
internal static class BudgetRankCorrelations
{
    /// <summary>Fewer shared configurations than this give no pair: two points always correlate perfectly.</summary>
    public const int MinimumSharedConfigurations = 3;

    /// <summary>
    /// Every pair of budgets with at least <see cref="MinimumSharedConfigurations"/> configurations in common, lower
    /// budget first, ordered by lower then higher budget. A configuration given twice at one budget counts with the
    /// mean of its values; non-finite values are left out.
    /// </summary>
    public static IReadOnlyList<BudgetRankCorrelation> Across(IEnumerable<BudgetValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var byBudget = values
            .Where(v => double.IsFinite(v.Value))
            .GroupBy(v => v.Budget)
            .OrderBy(g => g.Key)
            .Select(g => (Budget: g.Key, Values: g.GroupBy(v => v.ConfigurationId).ToDictionary(c => c.Key, c => c.Average(v => v.Value))))
            .ToArray();

        var pairs = new List<BudgetRankCorrelation>();
        for (var low = 0; low < byBudget.Length; low++)
        {
            for (var high = low + 1; high < byBudget.Length; high++)
            {
                var lower = byBudget[low].Values;
                var higher = byBudget[high].Values;
                // Ordered by id so that the pairing, and with it the result, never depends on dictionary order.
                var shared = lower.Keys.Where(higher.ContainsKey).Order().ToArray();
                if (shared.Length < MinimumSharedConfigurations)
                {
                    continue;
                }

                // MathNet ranks ties by their average rank (RankDefinition.Average) before taking Pearson's r, which is
                // Spearman's rho with ties as the textbooks define it.
                var rho = Correlation.Spearman(shared.Select(id => lower[id]), shared.Select(id => higher[id]));
                pairs.Add(new BudgetRankCorrelation(byBudget[low].Budget, byBudget[high].Budget, shared.Length, rho));
            }
        }

        return pairs;
    }
}
