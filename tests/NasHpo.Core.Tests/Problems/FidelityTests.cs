using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Problems;

public class FidelityTests
{
    private static readonly double[] _x = [0.3, 0.6, 0.1, 0.9, 0.4, 0.5];

    [Theory]
    [InlineData("zdt1", 2)]
    [InlineData("zdt3", 2)]
    [InlineData("dtlz2", 3)]
    public void Full_budget_is_exact(string type, int objectives)
    {
        var problem = SyntheticProblem.Create(type, new SyntheticProblemOptions(6, objectives));
        Assert.Equal(problem.Evaluate(_x), problem.Evaluate(_x, 27, 27, 12345UL));
    }

    [Fact]
    public void Error_shrinks_as_the_budget_grows()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6));
        var exact = problem.Evaluate(_x);
        var budgets = new[] { 1.0, 3.0, 9.0, 27.0, 81.0 };

        // Averaged over many keys, so that one lucky draw cannot hide the trend.
        var meanErrors = budgets
            .Select(b => Enumerable.Range(0, 200)
                .Average(key => Math.Abs(problem.Evaluate(_x, b, 81, (ulong)key)[1] - exact[1])))
            .ToArray();
        for (var i = 1; i < meanErrors.Length; i++)
        {
            Assert.True(meanErrors[i] < meanErrors[i - 1], $"error at budget {budgets[i]} is {meanErrors[i]}, at {budgets[i - 1]} {meanErrors[i - 1]}");
        }

        Assert.Equal(0.0, meanErrors[^1]);
        Assert.True(meanErrors[0] > 0.1, $"low budgets should be clearly off, mean error {meanErrors[0]}");
    }

    [Fact]
    public void Low_budgets_are_biased_upwards()
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(6, 3));
        var exact = problem.Evaluate(_x);
        var meanShift = Enumerable.Range(0, 500).Average(key => problem.Evaluate(_x, 1, 100, (ulong)key)[0] - exact[0]);
        Assert.InRange(meanShift, 0.15, 0.25);
    }

    [Fact]
    public void Same_key_and_budget_repeat_exactly_and_different_keys_or_budgets_differ()
    {
        var problem = SyntheticProblem.Create("zdt2", new SyntheticProblemOptions(6));
        var first = problem.Evaluate(_x, 3, 27, 42UL);
        Assert.Equal(first, problem.Evaluate(_x, 3, 27, 42UL));
        Assert.Equal(first, SyntheticProblem.Create("zdt2", new SyntheticProblemOptions(6)).Evaluate(_x, 3, 27, 42UL));
        Assert.NotEqual(first, problem.Evaluate(_x, 3, 27, 43UL));
        Assert.NotEqual(first, problem.Evaluate(_x, 9, 27, 42UL));
        Assert.NotEqual(first[0] - problem.Evaluate(_x)[0], first[1] - problem.Evaluate(_x)[1]);
    }

    [Fact]
    public void Noise_values_are_frozen()
    {
        // Frozen: persisted studies replay these numbers, so a change here is a change of every synthetic journal.
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(2));
        var f = problem.Evaluate([0.5, 0.5], 1, 4, 7UL);
        Assert.Equal(Expected.Zdt1AtHalfBudget1Of4Key7, f);
    }

    [Fact]
    public void Zero_noise_scale_makes_every_budget_exact()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6, NoiseScale: 0));
        Assert.Equal(problem.Evaluate(_x), problem.Evaluate(_x, 1, 81, 5UL));
    }

    [Theory]
    [InlineData(0.0, 27.0)]
    [InlineData(-1.0, 27.0)]
    [InlineData(28.0, 27.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(double.NaN, 27.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    public void Budgets_outside_zero_to_max_are_rejected(double budget, double maxBudget)
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => problem.Evaluate(_x, budget, maxBudget, 1UL));
    }

    [Fact]
    public void Negative_noise_scale_or_delay_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6, NoiseScale: -1)));
        Assert.Throws<ArgumentException>(() => SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6, Delay: TimeSpan.FromSeconds(-1))));
    }

    private static class Expected
    {
        public static readonly double[] Zdt1AtHalfBudget1Of4Key7 = [0.60206744814333701, 4.0178250412672911];
    }
}
