using NasHpo.Analysis.Importance;
using NasHpo.Core.SearchSpaces;
using Xunit.Abstractions;

namespace NasHpo.Analysis.Tests.Importance;

/// <summary>
/// fANOVA on functions whose decomposition is known in closed form, sampled uniformly over the space as a study's
/// random configurations would be. The forest only approximates the function, so the bounds are loose enough for its
/// error and tight enough that a wrong decomposition (a swapped axis, a wrong measure, a missing parameter) fails.
/// </summary>
public sealed class FanovaTests(ITestOutputHelper output)
{
    private const double Tolerance = 0.06;

    private static readonly SearchSpace ThreeFloats = SearchSpace.Create(
        [new FloatParameter("x1", 0, 1), new FloatParameter("x2", 0, 1), new FloatParameter("x3", 0, 1)]);

    [Fact]
    public void A_linear_function_splits_its_variance_as_the_squared_slopes()
    {
        // f = 4·x1 + 2·x2 + 0·x3 with independent uniform x: main-effect variances 16/12 : 4/12 : 0, so 0.8, 0.2, 0.
        var result = Fanova.Analyse(ThreeFloats, Sample(ThreeFloats, 300, c => (4 * c.GetDouble("x1")) + (2 * c.GetDouble("x2"))));
        Show(result);

        Assert.Equal(0.8, Importance(result, "x1"), Tolerance);
        Assert.Equal(0.2, Importance(result, "x2"), Tolerance);
        Assert.Equal(0.0, Importance(result, "x3"), Tolerance);
        Assert.Equal(32, result.TreesWithVariance);
    }

    [Fact]
    public void A_product_leaves_a_seventh_of_the_variance_to_the_interaction()
    {
        // f = x1·x2: Var f = 1/9 - 1/16 = 7/144; E[f | x1] = x1 / 2 has variance 1/48 = 3/144, so each main effect is
        // 3/7 and the interaction the remaining 1/7.
        var options = new FanovaOptions { PairwiseTopParameters = 2 };
        var result = Fanova.Analyse(ThreeFloats, Sample(ThreeFloats, 300, c => c.GetDouble("x1") * c.GetDouble("x2")), options);
        Show(result);

        Assert.Equal(3.0 / 7, Importance(result, "x1"), Tolerance);
        Assert.Equal(3.0 / 7, Importance(result, "x2"), Tolerance);
        Assert.Equal(0.0, Importance(result, "x3"), Tolerance);
        Assert.True(result.Parameters.Sum(p => p.Importance) < 0.95, "main effects must leave room for the interaction");
        var pair = Assert.Single(result.Pairs);
        Assert.Equal(("x1", "x2"), (pair.First, pair.Second));
        Assert.Equal(1.0 / 7, pair.Importance, Tolerance);
    }

    [Fact]
    public void A_categorical_parameter_explains_the_spread_of_its_levels_means()
    {
        // f = shift(optimizer) + 3·x with shifts 0, 0, 3: Var shift = 3 - 1 = 2, Var 3x = 9/12, so 8/11 and 3/11.
        var space = SearchSpace.Create(
            [new CategoricalParameter("optimizer", ["adam", "sgd", "rmsprop"]), new FloatParameter("x", 0, 1), new FloatParameter("noise", 0, 1)]);
        var result = Fanova.Analyse(space, Sample(space, 300, c => (c.GetString("optimizer") == "rmsprop" ? 3 : 0) + (3 * c.GetDouble("x"))));
        Show(result);

        Assert.Equal(8.0 / 11, Importance(result, "optimizer"), Tolerance);
        Assert.Equal(3.0 / 11, Importance(result, "x"), Tolerance);
        Assert.Equal(0.0, Importance(result, "noise"), Tolerance);
    }

    [Fact]
    public void A_conditional_parameter_is_measured_where_its_parent_switches_it_on()
    {
        // f = 3·rate when optimizer = sgd (rate active only then), else 0. Over the space's own measure: E[f | sgd] =
        // 1.5, E[f | adam] = 0, Var f = 1.5 - 0.75² = 0.9375; optimizer explains 0.5625 (0.6), rate's main effect
        // E[f | rate] = 1.5·rate has variance 0.1875 (0.2), and their interaction the remaining 0.2.
        var space = SearchSpace.Create(
        [
            new CategoricalParameter("optimizer", ["adam", "sgd"]),
            new FloatParameter("rate", 0, 1) { Conditions = [new Condition("optimizer", ConditionOperator.Equal, "sgd")] },
            new FloatParameter("noise", 0, 1),
        ]);
        var options = new FanovaOptions { PairwiseTopParameters = 2 };
        var result = Fanova.Analyse(space, Sample(space, 300, c => c.GetString("optimizer") == "sgd" ? 3 * c.GetDouble("rate") : 0), options);
        Show(result);

        Assert.Equal(0.6, Importance(result, "optimizer"), Tolerance);
        Assert.Equal(0.2, Importance(result, "rate"), Tolerance);
        Assert.Equal(0.0, Importance(result, "noise"), Tolerance);
        Assert.Equal(0.2, Assert.Single(result.Pairs).Importance, Tolerance);
    }

    [Fact]
    public void The_same_rows_and_seed_give_the_same_importances_and_another_seed_other_trees()
    {
        var rows = Sample(ThreeFloats, 60, c => c.GetDouble("x1") + (c.GetDouble("x2") * c.GetDouble("x3")));
        var first = Fanova.Analyse(ThreeFloats, rows, new FanovaOptions { Seed = 5 });
        var again = Fanova.Analyse(ThreeFloats, rows, new FanovaOptions { Seed = 5 });
        var other = Fanova.Analyse(ThreeFloats, rows, new FanovaOptions { Seed = 6 });

        Assert.Equal(first.Parameters, again.Parameters);
        Assert.NotEqual(first.Parameters, other.Parameters);
    }

    [Fact]
    public void A_constant_objective_explains_nothing()
    {
        var result = Fanova.Analyse(ThreeFloats, Sample(ThreeFloats, 20, _ => 7.0));

        Assert.Equal(0, result.TreesWithVariance);
        Assert.All(result.Parameters, p => Assert.Equal(0.0, p.Importance));
    }

    [Fact]
    public void Twenty_rows_are_enough_to_rank_a_dominant_parameter_first()
    {
        var result = Fanova.Analyse(ThreeFloats, Sample(ThreeFloats, 20, c => (10 * c.GetDouble("x2")) + c.GetDouble("x3")));
        Show(result);

        Assert.Equal("x2", result.Parameters.MaxBy(p => p.Importance)!.Parameter);
    }

    private static double Importance(FanovaResult result, string name) => result.Parameters.Single(p => p.Parameter == name).Importance;

    private static ScoredConfiguration[] Sample(SearchSpace space, int count, Func<Core.SearchSpaces.Configuration, double> objective)
    {
        var random = new Random(42);
        return [.. Enumerable.Range(0, count).Select(_ => space.Sample(random)).Select(c => new ScoredConfiguration(c, objective(c)))];
    }

    private void Show(FanovaResult result)
    {
        foreach (var p in result.Parameters)
        {
            output.WriteLine($"{p.Parameter}: {p.Importance:F3} ± {p.StandardDeviation:F3}");
        }

        foreach (var p in result.Pairs)
        {
            output.WriteLine($"{p.First} × {p.Second}: {p.Importance:F3} ± {p.StandardDeviation:F3}");
        }
    }
}
