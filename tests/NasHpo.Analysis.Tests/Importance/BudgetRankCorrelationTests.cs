using NasHpo.Analysis.Importance;

namespace NasHpo.Analysis.Tests.Importance;

/// <summary>Spearman's rho across budgets on data whose correlation is known exactly or in closed form.</summary>
public sealed class BudgetRankCorrelationTests
{
    [Fact]
    public void A_monotone_transform_ranks_alike_and_a_reversal_ranks_opposite()
    {
        double[] low = [0.3, 1.7, -2.0, 5.5, 0.9, 2.2];
        var values = At(1, low)
            .Concat(At(3, [.. low.Select(Math.Exp)]))
            .Concat(At(9, [.. low.Select(v => -v * v * v)]));

        var pairs = BudgetRankCorrelations.Across(values);

        Assert.Equal([(1.0, 3.0), (1.0, 9.0), (3.0, 9.0)], pairs.Select(p => (p.LowerBudget, p.HigherBudget)));
        Assert.All(pairs, p => Assert.Equal(6, p.SharedConfigurations));
        Assert.Equal(1.0, pairs[0].Spearman, 12);
        Assert.Equal(-1.0, pairs[1].Spearman, 12);
        Assert.Equal(-1.0, pairs[2].Spearman, 12);
    }

    [Fact]
    public void Ties_take_their_average_rank()
    {
        // x = 1, 2, 2, 3, 4 ranks 1, 2.5, 2.5, 4, 5; y = 1, 3, 2, 4, 5 ranks as itself. Pearson's r of the ranks is
        // 9.5 / √(9.5 · 10) = √95 / 10 ≈ 0.97468; the tie-blind 1 - 6Σd²/(n(n² - 1)) would give 0.975.
        var pairs = BudgetRankCorrelations.Across(At(1, [1, 2, 2, 3, 4]).Concat(At(2, [1, 3, 2, 4, 5])));

        Assert.Equal(Math.Sqrt(95) / 10, Assert.Single(pairs).Spearman, 12);
    }

    [Fact]
    public void Bivariate_normal_samples_approach_six_over_pi_arcsine_of_half_rho()
    {
        // For a bivariate normal with correlation ρ, Spearman's rho is (6/π)·asin(ρ/2): 0.786 for ρ = 0.8.
        const double rho = 0.8;
        var random = new Random(11);
        var first = new double[3000];
        var second = new double[first.Length];
        for (var i = 0; i < first.Length; i++)
        {
            var (z1, z2) = (StandardNormal(random), StandardNormal(random));
            first[i] = z1;
            second[i] = (rho * z1) + (Math.Sqrt(1 - (rho * rho)) * z2);
        }

        var pair = Assert.Single(BudgetRankCorrelations.Across(At(1, first).Concat(At(2, second))));

        Assert.Equal(6 / Math.PI * Math.Asin(rho / 2), pair.Spearman, 0.02);
    }

    [Fact]
    public void Only_configurations_seen_at_both_budgets_are_paired_and_fewer_than_three_give_no_pair()
    {
        // Configurations 0..3 at budget 1; 2..5 at budget 2 (two shared) and 0..4 at budget 3 (four shared), with
        // values at budget 3 ranking 0..3 in reverse.
        BudgetValue[] values =
        [
            .. At(1, [1, 2, 3, 4]),
            .. At(2, [9, 9, 5, 6, 7, 8]).Where(v => v.ConfigurationId >= 2),
            .. At(3, [4, 3, 2, 1, 0]),
        ];

        var pair = Assert.Single(BudgetRankCorrelations.Across(values), p => p.HigherBudget == 3 && p.LowerBudget == 1);
        Assert.Equal(4, pair.SharedConfigurations);
        Assert.Equal(-1.0, pair.Spearman, 12);
        Assert.DoesNotContain(BudgetRankCorrelations.Across(values), p => (p.LowerBudget, p.HigherBudget) == (1, 2));
    }

    [Fact]
    public void Repeated_values_of_a_configuration_at_a_budget_count_as_their_mean_and_non_finite_ones_not_at_all()
    {
        BudgetValue[] values =
        [
            new(0, 1, 1), new(1, 1, 2), new(2, 1, 3), new(3, 1, double.NaN),
            // Configuration 0 twice at budget 2: 10 and -10 average to 0, the lowest, as at budget 1.
            new(0, 2, 10), new(0, 2, -10), new(1, 2, 5), new(2, 2, 6), new(3, 2, 100),
        ];

        var pair = Assert.Single(BudgetRankCorrelations.Across(values));
        Assert.Equal(3, pair.SharedConfigurations);
        Assert.Equal(1.0, pair.Spearman, 12);
    }

    private static IEnumerable<BudgetValue> At(double budget, double[] values) =>
        values.Select((value, id) => new BudgetValue(id, budget, value));

    // Box–Muller: two uniforms give a standard normal.
    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
