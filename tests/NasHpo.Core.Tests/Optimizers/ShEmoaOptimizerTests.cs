using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;
using Xunit.Abstractions;

namespace NasHpo.Core.Tests.Optimizers;

public class ShEmoaOptimizerTests(ITestOutputHelper output)
{
    private static readonly SearchSpace Space = ToyProblem.Space;

    private static double[] Objectives(TrialRequest request) => ToyProblem.Objectives(request);

    private static TrialResult Evaluate(TrialRequest request) => ToyProblem.Evaluate(request);

    // Budgets 1, 2, 4, 8, 9 with n_fe 16, 8, 4 (never below μ = 4), 4, then unbounded at 9.
    private static readonly ShEmoaSettings Small = new() { PopulationSize = 4, FirstStepEvaluations = 16 };

    private static ShEmoaOptimizer Create(long seed = 1, ShEmoaSettings? settings = null) =>
        new(Space, new HyperbandSettings { MinBudget = 1, MaxBudget = 9 }, settings ?? Small, seed);

    [Fact]
    public void Budgets_double_and_evaluations_halve_per_step()
    {
        var optimizer = Create();
        Assert.Equal(new[] { 1.0, 2, 4, 8, 9 }, optimizer.Budgets);
        var trials = SequentialRunner.Run(optimizer, Evaluate, 16 + 8 + 4 + 4 + 20);
        var perStep = trials.GroupBy(t => t.Request.Bracket).Select(g => (g.Key, g.Count(), g.Select(t => t.Request.Id.Budget).Distinct().Single())).ToArray();
        Assert.Equal(new[] { (0L, 16, 1.0), (1L, 8, 2.0), (2L, 4, 4.0), (3L, 4, 8.0), (4L, 20, 9.0) }, perStep);
        Assert.Equal(new long[] { 4 }, optimizer.OpenBracketIds);

        // The default halving (40, 20, 10, then μ = 10) between the study's budgets.
        var defaults = new ShEmoaOptimizer(Space, new HyperbandSettings { MinBudget = 3, MaxBudget = 27 }, new ShEmoaSettings(), 1);
        Assert.Equal(new[] { 3.0, 6, 12, 24, 27 }, defaults.Budgets);
        Assert.Equal(new long[] { 40, 20, 10, 10, long.MaxValue }, Enumerable.Range(0, 5).Select(s => defaults.EvaluationsInStep(s)));
    }

    [Fact]
    public void A_step_starts_with_the_survivors_re_evaluated_under_their_parent_trial()
    {
        var optimizer = Create();
        var trials = SequentialRunner.Run(optimizer, Evaluate, 16);
        var survivors = optimizer.Population.Select(p => p.ConfigurationId).ToArray();
        Assert.Equal(4, survivors.Length);
        var points = trials.Select(t => t.Result.Objectives!.ToArray()).ToArray();
        // The survivors are non-dominated among everything step 0 saw (4 of the first front, or the whole of it).
        var firstFront = NonDominatedSorting.FirstFront(points).Select(i => trials[i].Request.Id.ConfigurationId).ToHashSet();
        Assert.True(survivors.All(firstFront.Contains) || firstFront.All(survivors.Contains));

        var next = SequentialRunner.Run(optimizer, Evaluate, 4);
        Assert.Equal(survivors, next.Select(t => t.Request.Id.ConfigurationId));
        Assert.All(next, t =>
        {
            Assert.Equal(1, t.Request.Bracket);
            Assert.Equal(2.0, t.Request.Id.Budget);
            Assert.Equal(new TrialId(t.Request.Id.ConfigurationId, 1), t.Request.Parent);
            Assert.Equal(trials.First(p => p.Request.Id.ConfigurationId == t.Request.Id.ConfigurationId).Request.Configuration, t.Request.Configuration);
        });

        // New configurations, and only they, get new ids, one more each time.
        var ids = trials.Concat(SequentialRunner.Run(optimizer, Evaluate, 4)).Where(t => t.Request.Parent is null).Select(t => t.Request.Id.ConfigurationId);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), ids);
    }

    [Fact]
    public void Each_child_displaces_a_member_of_the_last_front()
    {
        var optimizer = Create(seed: 5);
        SequentialRunner.Run(optimizer, Evaluate, 4);
        for (var child = 0; child < 12; child++)
        {
            var before = optimizer.Population.ToList();
            var request = optimizer.Ask()!;
            var result = Evaluate(request);
            optimizer.Tell(result);
            var union = before.Append((ConfigurationId: request.Id.ConfigurationId, Objectives: result.Objectives!.ToArray())).ToArray();
            var after = optimizer.Population.Select(p => p.ConfigurationId).ToHashSet();
            var dropped = Assert.Single(union, p => !after.Contains(p.ConfigurationId));
            var fronts = NonDominatedSorting.Sort(union.Select(p => p.Objectives).ToArray());
            Assert.Contains(Array.FindIndex(union, p => p.ConfigurationId == dropped.ConfigurationId), fronts[^1]);
        }
    }

    [Fact]
    public void The_initial_members_run_in_parallel_but_children_wait_for_the_previous_one()
    {
        var optimizer = Create();
        var initial = Enumerable.Range(0, 4).Select(_ => optimizer.Ask()).ToArray();
        Assert.All(initial, r => Assert.Null(Assert.IsType<TrialRequest>(r).Parent));
        Assert.IsType<OptimizerDecision.Wait>(optimizer.Decide());
        foreach (var request in initial)
        {
            optimizer.Tell(Evaluate(request!));
        }

        var child = optimizer.Ask()!;
        Assert.IsType<OptimizerDecision.Wait>(optimizer.Decide());
        optimizer.Tell(Evaluate(child));
        Assert.IsType<OptimizerDecision.Run>(optimizer.Decide());
    }

    [Fact]
    public void Decide_changes_nothing_and_is_repeatable()
    {
        var optimizer = Create();
        SequentialRunner.Run(optimizer, Evaluate, 30);
        var first = Assert.IsType<OptimizerDecision.Run>(optimizer.Decide()).Request;
        var second = Assert.IsType<OptimizerDecision.Run>(optimizer.Decide()).Request;
        Assert.Equal(first, second with { Configuration = first.Configuration });
        Assert.Equal(first.Configuration, second.Configuration);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(27)]
    [InlineData(45)]
    public void Replaying_the_facts_rebuilds_the_same_state(int evaluations)
    {
        var live = Create(seed: 7);
        var trials = SequentialRunner.Run(live, Evaluate, evaluations);

        // Recovery applies the journal's facts without deciding anything.
        var replayed = Create(seed: 7);
        foreach (var trial in trials)
        {
            replayed.Apply(trial.Request);
            replayed.Apply(trial.Result);
        }

        var a = Assert.IsType<OptimizerDecision.Run>(live.Decide()).Request;
        var b = Assert.IsType<OptimizerDecision.Run>(replayed.Decide()).Request;
        Assert.Equal(a, b with { Configuration = a.Configuration });
        Assert.Equal(a.Configuration, b.Configuration);
        Assert.Equal(live.Population.Select(p => p.ConfigurationId), replayed.Population.Select(p => p.ConfigurationId));
    }

    [Fact]
    public void A_fact_applied_twice_counts_once()
    {
        var optimizer = Create();
        var request = optimizer.Ask()!;
        optimizer.Apply(request);
        var result = Evaluate(request);
        optimizer.Tell(result);
        optimizer.Tell(result);
        Assert.Equal(1, optimizer.History.Count);
        Assert.Single(optimizer.Population);
        Assert.Equal(1, optimizer.Ask()!.Id.ConfigurationId);
    }

    [Fact]
    public void Failures_never_survive_and_an_all_failed_step_starts_the_next_with_random_configurations()
    {
        var optimizer = Create();
        // Every odd configuration fails.
        TrialResult HalfFailing(TrialRequest r) =>
            r.Id.ConfigurationId % 2 == 1 ? TrialResult.Failure(r.Id, "diverged") : Evaluate(r);
        var trials = SequentialRunner.Run(optimizer, HalfFailing, 16);
        Assert.All(optimizer.Population, p => Assert.Equal(0, p.ConfigurationId % 2));
        Assert.Contains(trials, t => t.Result.Failed);

        var allFailing = Create();
        var failed = SequentialRunner.Run(allFailing, r => TrialResult.Failure(r.Id, "diverged"), 16);
        Assert.Equal(16, failed.Count);
        Assert.Empty(allFailing.Population);
        Assert.All(allFailing.History.All, o => Assert.True(o.Failed));
        var next = allFailing.Ask()!;
        Assert.Equal((1L, 2.0, (TrialId?)null, 16L), (next.Bracket, next.Id.Budget, next.Parent, next.Id.ConfigurationId));
    }

    [Fact]
    public void Non_finite_objectives_count_as_failures()
    {
        var optimizer = Create();
        var request = optimizer.Ask()!;
        optimizer.Tell(TrialResult.Completed(request.Id, [double.NaN, 1]));
        Assert.True(Assert.Single(optimizer.History.All).Failed);
        Assert.Empty(optimizer.Population);
    }

    [Fact]
    public void Requests_for_another_step_or_unknown_results_are_refused()
    {
        var optimizer = Create();
        var request = Assert.IsType<OptimizerDecision.Run>(optimizer.Decide()).Request;
        Assert.Throws<InvalidOperationException>(() => optimizer.Apply(request with { Bracket = 1 }));
        Assert.Throws<InvalidOperationException>(() => optimizer.Tell(TrialResult.Completed(new TrialId(99, 1), [1, 1])));
    }

    [Fact]
    public void Children_respect_conditions()
    {
        var space = SearchSpace.Create(
        [
            new IntegerParameter("layers", 1, 3),
            new FloatParameter("width_1", 0, 1),
            new FloatParameter("width_2", 0, 1) { Conditions = [new Condition("layers", ConditionOperator.GreaterOrEqual, "2")] },
            new FloatParameter("width_3", 0, 1) { Conditions = [new Condition("layers", ConditionOperator.GreaterOrEqual, "3")] },
        ]);
        var optimizer = new ShEmoaOptimizer(space, new HyperbandSettings { MinBudget = 9, MaxBudget = 9 }, Small, 3);
        var trials = SequentialRunner.Run(
            optimizer,
            r => TrialResult.Completed(r.Id, [r.Configuration.GetInt32("layers"), r.Configuration.GetDouble("width_1")]),
            60);
        Assert.All(trials, t => space.Validate(t.Request.Configuration));
        Assert.Equal(3, trials.Select(t => t.Request.Configuration.GetInt32("layers")).Distinct().Count());
    }

    [Fact]
    public void The_factory_creates_sh_emoa()
    {
        Assert.Contains("sh-emoa", OptimizerRegistry.BuiltIn.Names);
        var optimizer = Assert.IsType<ShEmoaOptimizer>(
            Methods.Create("sh-emoa", Space, new HyperbandSettings { MinBudget = 1, MaxBudget = 9 }, 1));
        Assert.Equal(1.0, optimizer.Ask()!.Id.Budget);
    }

    [Fact]
    public void SH_EMOA_beats_random_search_on_ZDT1_at_equal_evaluations()
    {
        // 10-D ZDT1, 200 evaluations, 5 seeds, only the evaluations at the full budget count. SH-EMOA spends
        // 40 + 20 + 10 + 10 of them at budgets 3, 6, 12 and 24 (noisy and biased) and the rest evolving at 27.
        var random = Zdt1Quality.Median("random", 3, 27);
        var shEmoa = Zdt1Quality.Median("sh-emoa", 3, 27);
        output.WriteLine($"median hypervolume: random {random:F4}, sh-emoa {shEmoa:F4}");
        Assert.True(shEmoa > random, $"SH-EMOA median hypervolume {shEmoa:F4} is not above random search's {random:F4}");
    }

    [Fact]
    public void SH_EMOA_at_a_single_budget_beats_random_search_too()
    {
        var random = Zdt1Quality.Median("random", 27, 27);
        var shEmoa = Zdt1Quality.Median("sh-emoa", 27, 27);
        output.WriteLine($"median hypervolume: random {random:F4}, sh-emoa {shEmoa:F4}");
        Assert.True(shEmoa > random, $"SH-EMOA median hypervolume {shEmoa:F4} is not above random search's {random:F4}");
    }
}
