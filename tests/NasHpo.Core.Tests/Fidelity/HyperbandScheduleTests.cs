using NasHpo.Core.Fidelity;

namespace NasHpo.Core.Tests.Fidelity;

public class HyperbandScheduleTests
{
    private static (int[] Sizes, double[] Budgets)[] Layout(HyperbandSchedule schedule) =>
        schedule.Brackets.Select(b => (b.Rungs.Select(r => r.Configurations).ToArray(), b.Rungs.Select(r => r.Budget).ToArray())).ToArray();

    [Fact]
    public void Eta_3_budgets_1_to_27_match_the_BOHB_table()
    {
        // BOHB (Falkner et al. 2018, Table of Hyperband brackets for η = 3, R = 27): s_max = 3.
        var schedule = new HyperbandSchedule(1, 27, 3);
        Assert.Equal(3, schedule.SMax);
        var layout = Layout(schedule);
        Assert.Equal(new[] { 27, 9, 3, 1 }, layout[0].Sizes);
        Assert.Equal(new[] { 1.0, 3, 9, 27 }, layout[0].Budgets);
        Assert.Equal(new[] { 12, 4, 1 }, layout[1].Sizes);
        Assert.Equal(new[] { 3.0, 9, 27 }, layout[1].Budgets);
        Assert.Equal(new[] { 6, 2 }, layout[2].Sizes);
        Assert.Equal(new[] { 9.0, 27 }, layout[2].Budgets);
        Assert.Equal(new[] { 4 }, layout[3].Sizes);
        Assert.Equal(new[] { 27.0 }, layout[3].Budgets);
    }

    [Fact]
    public void Eta_3_budgets_5_to_25_epochs_as_in_paper_001()
    {
        // Paper 001, B.2: η = 3, b_min = 5, b_max = 25 → s_max = ⌊log_3 5⌋ = 1, budgets 25/3 and 25.
        var schedule = new HyperbandSchedule(5, 25, 3);
        Assert.Equal(1, schedule.SMax);
        var layout = Layout(schedule);
        Assert.Equal(new[] { 3, 1 }, layout[0].Sizes);
        Assert.Equal(25.0 / 3, layout[0].Budgets[0], 12);
        Assert.Equal(25.0, layout[0].Budgets[1]);
        Assert.Equal(new[] { 2 }, layout[1].Sizes);
        Assert.Equal(new[] { 25.0 }, layout[1].Budgets);
    }

    [Fact]
    public void Eta_3_budgets_1_to_81_match_the_Hyperband_paper()
    {
        // Li et al. (2018), Table 1: R = 81, η = 3: n = 81, 34, 15, 8, 5.
        var layout = Layout(new HyperbandSchedule(1, 81, 3));
        Assert.Equal(new[] { 81, 27, 9, 3, 1 }, layout[0].Sizes);
        Assert.Equal(new[] { 34, 11, 3, 1 }, layout[1].Sizes);
        Assert.Equal(new[] { 15, 5, 1 }, layout[2].Sizes);
        Assert.Equal(new[] { 8, 2 }, layout[3].Sizes);
        Assert.Equal(new[] { 5 }, layout[4].Sizes);
        Assert.Equal(new[] { 3.0, 9, 27, 81 }, layout[1].Budgets);
    }

    [Fact]
    public void Brackets_cycle_from_the_most_aggressive()
    {
        var schedule = new HyperbandSchedule(1, 9, 3);
        Assert.Equal(new[] { 2, 1, 0, 2, 1, 0, 2 }, Enumerable.Range(0, 7).Select(i => schedule.ForIteration(i).S).ToArray());
    }

    [Fact]
    public void Equal_budgets_make_one_single_rung_bracket()
    {
        var schedule = new HyperbandSchedule(25, 25, 3);
        Assert.Equal(0, schedule.SMax);
        var only = Assert.Single(schedule.Brackets);
        Assert.Equal(new RungPlan(0, 1, 25), Assert.Single(only.Rungs));
    }

    [Theory]
    [InlineData(0, 27, 3)]
    [InlineData(-1, 27, 3)]
    [InlineData(27, 1, 3)]
    [InlineData(1, 27, 1)]
    [InlineData(1, double.PositiveInfinity, 3)]
    [InlineData(1, 27, double.NaN)]
    public void Invalid_settings_are_refused(double min, double max, double eta) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HyperbandSchedule(min, max, eta));
}
