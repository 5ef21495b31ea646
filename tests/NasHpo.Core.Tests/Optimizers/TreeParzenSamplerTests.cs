using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>The early model of the Parzen samplers: when it applies, and how it splits results of several budgets.</summary>
public class TreeParzenSamplerTests
{
    private static readonly SearchSpace Space = ToyProblem.Space;

    [Fact]
    public void The_early_model_is_MO_BOHBs_default_and_not_BOHBs_and_zero_turns_it_off()
    {
        Assert.Equal(Space.Dimension + 2, TreeParzenSampler.MoBohb().EarlyModelPoints(Space));
        Assert.Null(TreeParzenSampler.Bohb().EarlyModelPoints(Space));
        Assert.Null(TreeParzenSampler.MoBohb(TreeParzenSampler.MoBohb().Settings with { EarlyModelPoints = 0 }).EarlyModelPoints(Space));
        Assert.Equal(5, TreeParzenSampler.Bohb(TreeParzenSampler.Bohb().Settings with { EarlyModelPoints = 5 }).EarlyModelPoints(Space));
    }

    [Fact]
    public void Across_budgets_a_configuration_is_good_when_best_at_some_budget_and_counts_once_at_its_highest_budget()
    {
        var random = new Random(7);
        var configurations = new List<Configuration>();
        while (configurations.Count < 9)
        {
            var candidate = Space.Sample(random);
            if (!configurations.Contains(candidate))
            {
                configurations.Add(candidate);
            }
        }

        var history = new ObservationHistory();
        void Add(int index, double budget, double value) =>
            history.Add(new Observation(configurations[index], Space.Encode(configurations[index]), budget, [value, value], false));

        // Budget 1: configuration i scores i, so 0 and 1 are its best two (the split keeps at least two good).
        for (var i = 0; i < 9; i++)
        {
            Add(i, 1, i);
        }

        // Budget 3: 0, 1 and 2 continue, and 2 is the best there although it was third at budget 1.
        Add(0, 3, 10);
        Add(1, 3, 9);
        Add(2, 3, 8);

        var (good, bad) = TreeParzenSampler.MoBohb().SplitAcrossBudgets(history);

        Assert.Equal(9, good.Count + bad.Count);
        Assert.Equal([0, 1, 2], good.Select(o => configurations.IndexOf(o.Configuration)).Order());
        Assert.All(good, o => Assert.Equal(3.0, o.Budget));
        Assert.Equal([3, 4, 5, 6, 7, 8], bad.Select(o => configurations.IndexOf(o.Configuration)).Order());
    }
}
