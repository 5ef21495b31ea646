using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

public class HyperbandOptimizerTests
{
    private static readonly SearchSpace Space = ToyProblem.Space;

    private static double[] Objectives(TrialRequest request) => ToyProblem.Objectives(request);

    private static TrialResult Evaluate(TrialRequest request) => ToyProblem.Evaluate(request);

    private static HyperbandOptimizer Create(string sampler = "random", long seed = 1, int maxOpen = int.MaxValue) =>
        new(Space, sampler == "random" ? RandomSampler.Instance : TreeParzenSampler.MoBohb(),
            new HyperbandSettings { MinBudget = 1, MaxBudget = 9, Eta = 3, MaxOpenBrackets = maxOpen }, seed);

    [Fact]
    public void First_bracket_runs_9_then_3_then_1_with_parents_for_promotions()
    {
        var optimizer = Create();
        var trials = SequentialRunner.Run(optimizer, Evaluate, 13);
        Assert.All(trials.Take(9), t => Assert.Equal((1.0, 0, (TrialId?)null), (t.Request.Id.Budget, t.Request.Rung, t.Request.Parent)));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), trials.Take(9).Select(t => t.Request.Id.ConfigurationId));
        var promoted = trials.Skip(9).Take(3).ToArray();
        Assert.All(promoted, t => Assert.Equal(3.0, t.Request.Id.Budget));
        Assert.All(promoted, t => Assert.Equal(new TrialId(t.Request.Id.ConfigurationId, 1), t.Request.Parent));
        Assert.All(promoted, t => Assert.Equal(trials[(int)t.Request.Id.ConfigurationId].Request.Configuration, t.Request.Configuration));
        Assert.Equal(9.0, trials[12].Request.Id.Budget);
        Assert.Equal(0, trials.Take(13).Select(t => t.Request.Bracket).Distinct().Single());
    }

    [Fact]
    public void Promotions_are_the_non_dominated_best_of_the_rung()
    {
        var optimizer = Create();
        var trials = SequentialRunner.Run(optimizer, Evaluate, 12);
        var rung0 = trials.Take(9).Select(t => t.Result.Objectives!.ToArray()).ToArray();
        var promoted = trials.Skip(9).Select(t => (int)t.Request.Id.ConfigurationId).Order().ToArray();
        Assert.Equal(NasHpo.Core.Fidelity.Promotion.SelectBest(rung0, 3), promoted);
    }

    [Fact]
    public void Brackets_follow_Hyperband_order_and_sizes()
    {
        var optimizer = Create();
        var trials = SequentialRunner.Run(optimizer, Evaluate, 13 + 5 + 1 + 3);
        var perBracket = trials.GroupBy(t => t.Request.Bracket).Select(g => g.Count()).ToArray();
        Assert.Equal(new[] { 13, 6, 3 }, perBracket);
        Assert.All(trials.Where(t => t.Request.Bracket == 1 && t.Request.Rung == 0), t => Assert.Equal(3.0, t.Request.Id.Budget));
    }

    [Fact]
    public void Decide_changes_nothing_and_is_repeatable()
    {
        var optimizer = Create("mo-bohb");
        SequentialRunner.Run(optimizer, Evaluate, 30);
        var first = Assert.IsType<OptimizerDecision.Run>(optimizer.Decide()).Request;
        var second = Assert.IsType<OptimizerDecision.Run>(optimizer.Decide()).Request;
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Configuration, second.Configuration);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("mo-bohb")]
    public void Replaying_the_facts_rebuilds_the_same_state(string sampler)
    {
        var live = Create(sampler, seed: 7);
        var trials = SequentialRunner.Run(live, Evaluate, 40);

        // Recovery applies the journal's facts without deciding anything.
        var replayed = Create(sampler, seed: 7);
        foreach (var trial in trials)
        {
            replayed.Apply(trial.Request);
            replayed.Apply(trial.Result);
        }

        var a = Assert.IsType<OptimizerDecision.Run>(live.Decide()).Request;
        var b = Assert.IsType<OptimizerDecision.Run>(replayed.Decide()).Request;
        Assert.Equal(a, b with { Configuration = a.Configuration });
        Assert.Equal(a.Configuration, b.Configuration);
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
        Assert.Equal(1, optimizer.Ask()!.Id.ConfigurationId);
    }

    [Fact]
    public void Failed_trials_are_never_promoted_and_an_all_failed_bracket_closes()
    {
        var optimizer = Create();
        var trials = SequentialRunner.Run(optimizer, r => TrialResult.Failure(r.Id, "diverged"), 9);
        Assert.Equal(9, trials.Count);
        Assert.Empty(optimizer.OpenBrackets);
        var next = optimizer.Ask()!;
        Assert.Equal(1, next.Bracket);
        Assert.Equal(0, next.Rung);
        Assert.All(optimizer.History.All, o => Assert.True(o.Failed));
    }

    [Fact]
    public void Non_finite_objectives_count_as_failures()
    {
        var optimizer = Create();
        var request = optimizer.Ask()!;
        optimizer.Tell(TrialResult.Completed(request.Id, [double.NaN, 1]));
        Assert.True(Assert.Single(optimizer.History.All).Failed);
    }

    [Fact]
    public void With_trials_outstanding_new_brackets_open_until_the_limit()
    {
        var optimizer = Create(maxOpen: 2);
        var requests = Enumerable.Range(0, 9 + 5).Select(_ => optimizer.Ask()).ToArray();
        Assert.All(requests, Assert.NotNull);
        Assert.Equal(new long[] { 0, 1 }, requests.Select(r => r!.Bracket).Distinct().ToArray());
        Assert.IsType<OptimizerDecision.Wait>(optimizer.Decide());

        optimizer.Tell(Evaluate(requests[0]!));
        Assert.IsType<OptimizerDecision.Wait>(optimizer.Decide());
    }

    [Fact]
    public void A_result_for_an_unknown_trial_is_refused()
    {
        var optimizer = Create();
        Assert.Throws<InvalidOperationException>(() => optimizer.Tell(TrialResult.Completed(new TrialId(99, 1), [1, 1])));
    }

    [Fact]
    public void Max_brackets_finishes_the_optimizer()
    {
        var optimizer = new HyperbandOptimizer(Space, RandomSampler.Instance, new HyperbandSettings { MinBudget = 9, MaxBudget = 9, MaxBrackets = 3 }, 1);
        var trials = SequentialRunner.Run(optimizer, Evaluate, 100);
        Assert.Equal(3, trials.Count);
        Assert.IsType<OptimizerDecision.Finished>(optimizer.Decide());
    }

    [Fact]
    public void Factory_names_every_method_and_refuses_unknown_ones()
    {
        var settings = new HyperbandSettings { MinBudget = 1, MaxBudget = 9 };
        foreach (var name in OptimizerRegistry.BuiltIn.Names)
        {
            // BULK & CUT divides its phases by the study's evaluation limit, so it needs one.
            var limits = name == "bulk-and-cut" ? new OptimizerLimits(MaxEvaluations: 30) : null;
            Assert.NotNull(Methods.Create(name, Space, settings, 1, limits: limits).Ask());
        }

        var error = Assert.Throws<ArgumentException>(() => Methods.Create("tpe", Space, settings, 1));
        Assert.Contains("\"tpe\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("mo-bohb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_search_runs_everything_at_the_maximum_budget()
    {
        var optimizer = Methods.Create("random", Space, new HyperbandSettings { MinBudget = 1, MaxBudget = 9 }, 1);
        var trials = SequentialRunner.Run(optimizer, Evaluate, 20);
        Assert.All(trials, t => Assert.Equal(9.0, t.Request.Id.Budget));
        Assert.Equal(20, trials.Select(t => t.Request.Id.ConfigurationId).Distinct().Count());
    }
}
