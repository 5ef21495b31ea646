using NasHpo.Analysis.Importance;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Tests.Importance;

/// <summary>The facade over a made-up study: two objectives, each driven by another parameter, at three budgets.</summary>
public sealed class StudyImportanceTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
        [new FloatParameter("lr", 1e-4, 1e-1, Log: true), new IntegerParameter("width", 8, 64), new CategoricalParameter("act", ["relu", "tanh"])]);

    [Fact]
    public void Each_objective_gets_its_importances_per_budget_and_its_rank_correlations_across_budgets()
    {
        // 40 configurations at budget 1, the first 20 of them again at budget 3, and 4 at budget 9 (too few for
        // fANOVA, enough for rank correlation). Objective 0 follows lr, objective 1 follows width; both rank the
        // same at every budget.
        var random = new Random(3);
        var configurations = Enumerable.Range(0, 40).Select(_ => Space.Sample(random)).ToArray();
        var trials = new List<CompletedTrial>();
        foreach (var (budget, count) in new[] { (1.0, 40), (3.0, 20), (9.0, 4) })
        {
            for (var id = 0; id < count; id++)
            {
                var c = configurations[id];
                double[] objectives = [Math.Log10(c.GetDouble("lr")) / budget, -c.GetDouble("width") * budget];
                trials.Add(new CompletedTrial(id, budget, c, objectives));
            }
        }

        var report = StudyImportance.Analyse(Space, trials, new FanovaOptions { TreeCount = 8 });

        Assert.Equal([(0, 1.0), (0, 3.0), (1, 1.0), (1, 3.0)], report.Importances.Select(i => (i.Objective, i.Budget)));
        Assert.Equal([40, 20, 40, 20], report.Importances.Select(i => i.Result.Samples));
        foreach (var importance in report.Importances)
        {
            var top = importance.Result.Parameters.MaxBy(p => p.Importance)!.Parameter;
            Assert.Equal(importance.Objective == 0 ? "lr" : "width", top);
        }

        Assert.Equal([0, 1], report.RankCorrelations.Select(c => c.Objective));
        foreach (var correlations in report.RankCorrelations)
        {
            Assert.Equal([(1.0, 3.0, 20), (1.0, 9.0, 4), (3.0, 9.0, 4)], correlations.Pairs.Select(p => (p.LowerBudget, p.HigherBudget, p.SharedConfigurations)));
            Assert.All(correlations.Pairs, p => Assert.Equal(1.0, p.Spearman, 12));
        }
    }

    [Fact]
    public void Trials_must_agree_on_the_number_of_objectives()
    {
        var random = new Random(1);
        CompletedTrial[] trials = [new(0, 1, Space.Sample(random), [1.0, 2.0]), new(1, 1, Space.Sample(random), [1.0])];

        Assert.Throws<ArgumentException>(() => StudyImportance.Analyse(Space, trials));
    }
}
