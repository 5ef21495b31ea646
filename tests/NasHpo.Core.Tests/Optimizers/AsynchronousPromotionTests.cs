using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>ASHA ladders and asynchronous Hyperband (<see cref="PromotionMode.Asynchronous"/>).</summary>
public class AsynchronousPromotionTests
{
    private static readonly SearchSpace Space = ToyProblem.Space;

    private static readonly BracketPlan ThreeRungs = new(2, [new RungPlan(0, 9, 1), new RungPlan(1, 3, 3), new RungPlan(2, 1, 9)]);

    private static HyperbandOptimizer Create(string sampler = "random", long seed = 1, int? promotionObjective = null, long? maxBrackets = null) =>
        new(Space, sampler == "random" ? RandomSampler.Instance : TreeParzenSampler.MoBohb(),
            new HyperbandSettings
            {
                MinBudget = 1,
                MaxBudget = 9,
                Eta = 3,
                Promotion = PromotionMode.Asynchronous,
                PromotionObjective = promotionObjective,
                MaxBrackets = maxBrackets,
                MaxOpenBrackets = 1,
            },
            seed);

    private static AsynchronousLadder SingleObjectiveLadder() => new(0, ThreeRungs, 3, Promotion.SelectBest);

    private static void Complete(AsynchronousLadder ladder, long id, int rung, double value)
    {
        ladder.RecordScheduled(id, rung);
        ladder.RecordResult(id, rung, [value]);
    }

    [Fact]
    public void A_configuration_moves_up_once_it_is_in_the_best_third_of_the_results_so_far()
    {
        var ladder = SingleObjectiveLadder();
        Complete(ladder, 0, 0, 5);
        Complete(ladder, 1, 0, 3);
        Assert.Null(ladder.NextPromotion());

        // The third result makes ⌊3/3⌋ = 1 promotable: the best so far.
        Complete(ladder, 2, 0, 1);
        Assert.Equal((2L, 1), ladder.NextPromotion());
        ladder.RecordScheduled(2, 1);
        Assert.Null(ladder.NextPromotion());

        // Six results make two promotable; the best is already up, so the second best goes.
        Complete(ladder, 3, 0, 4);
        Complete(ladder, 4, 0, 2);
        Complete(ladder, 5, 0, 6);
        Assert.Equal((4L, 1), ladder.NextPromotion());
    }

    [Fact]
    public void The_highest_rung_promotes_first_and_a_configuration_never_leaves_a_rung_twice()
    {
        var ladder = SingleObjectiveLadder();
        for (var id = 0; id < 9; id++)
        {
            Complete(ladder, id, 0, id);
        }

        // Rung 0 has room for three; rung 1 receives them and, once it holds three results, the top rung its best.
        foreach (var id in new long[] { 0, 1, 2 })
        {
            Assert.Equal((id, 1), ladder.NextPromotion());
            Complete(ladder, id, 1, 10 - id);
        }

        Assert.Equal((2L, 2), ladder.NextPromotion());
        Assert.False(ladder.RecordScheduled(0, 1));
        ladder.RecordScheduled(2, 2);
        Assert.Null(ladder.NextPromotion());
    }

    [Fact]
    public void Failures_count_among_the_results_but_never_move_up()
    {
        var ladder = SingleObjectiveLadder();
        for (var id = 0; id < 3; id++)
        {
            ladder.RecordScheduled(id, 0);
        }

        ladder.RecordResult(0, 0, null);
        ladder.RecordResult(1, 0, null);
        Assert.Null(ladder.NextPromotion());
        ladder.RecordResult(2, 0, [7]);
        Assert.Equal((2L, 1), ladder.NextPromotion());

        Assert.Throws<InvalidOperationException>(() => ladder.RecordScheduled(0, 1));
        Assert.Throws<InvalidOperationException>(() => ladder.RecordScheduled(8, 1));
    }

    [Fact]
    public void With_several_objectives_the_promotable_set_is_non_dominated_sorting_and_hypervolume_selection()
    {
        var ladder = new AsynchronousLadder(0, ThreeRungs, 3, Promotion.SelectBest);
        double[][] points = [[1, 9], [5, 5], [9, 1], [2, 8.5], [6, 6], [7, 7]];
        for (var id = 0; id < points.Length; id++)
        {
            ladder.RecordScheduled(id, 0);
            ladder.RecordResult(id, 0, points[id]);
        }

        var expected = Promotion.SelectBest(points, 2).Select(i => (long)i).ToList();
        var promoted = new List<long>();
        while (ladder.NextPromotion() is var (id, rung))
        {
            Assert.Equal(1, rung);
            promoted.Add(id);
            ladder.RecordScheduled(id, 1);
        }

        Assert.Equal(expected, promoted);
        Assert.DoesNotContain(4L, promoted);
        Assert.DoesNotContain(5L, promoted);
    }

    [Fact]
    public void New_configurations_fill_the_ladders_in_Hyperband_proportions_with_their_own_minimum_budgets()
    {
        var optimizer = Create();
        var requests = Enumerable.Range(0, 40).Select(_ => optimizer.Ask()!).ToArray();

        // Nothing has reported, so nothing can be promoted, and yet nothing waits.
        Assert.All(requests, r => Assert.Equal(0, r.Rung));
        var ladders = requests.Select(r => r.Bracket).ToArray();
        long[] cycle = [.. Enumerable.Repeat(0L, 9), .. Enumerable.Repeat(1L, 5), .. Enumerable.Repeat(2L, 3)];
        Assert.Equal(cycle.Concat(cycle).Concat(cycle).Take(40), ladders);
        Assert.All(requests, r => Assert.Equal(r.Bracket switch { 0 => 1.0, 1 => 3.0, _ => 9.0 }, r.Id.Budget));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), requests.Select(r => r.Id.ConfigurationId));
    }

    [Fact]
    public void One_objective_promotes_the_best_by_that_objective_with_its_parent()
    {
        var optimizer = Create(promotionObjective: 0);
        var trials = SequentialRunner.Run(optimizer, ToyProblem.Evaluate, 4);
        Assert.All(trials.Take(3), t => Assert.Equal(0, t.Request.Rung));
        var best = trials.Take(3).MinBy(t => t.Result.Objectives![0])!.Request;
        var promotion = trials[3].Request;
        Assert.Equal(new TrialId(best.Id.ConfigurationId, 3), promotion.Id);
        Assert.Equal(1, promotion.Rung);
        Assert.Equal(best.Id, promotion.Parent);
        Assert.Equal(best.Configuration, promotion.Configuration);
    }

    [Theory]
    [InlineData("random", null)]
    [InlineData("random", 0)]
    [InlineData("mo-bohb", null)]
    public void Out_of_order_results_follow_the_rule_and_nothing_runs_twice(string sampler, int? promotionObjective)
    {
        var run = SimulatedDevices.Run(Create(sampler, seed: 3, promotionObjective: promotionObjective), devices: 4, evaluations: 150);

        Assert.Equal(150, run.Finished.Count);
        Assert.Equal(run.Requests.Count, run.Requests.Select(r => r.Id).Distinct().Count());
        Assert.Contains(run.Requests, r => r.Rung == 2);

        // Replaying the decisions against what had reported when each was made.
        var reported = new Dictionary<TrialId, double[]?>();
        var moved = new HashSet<(long Configuration, double Budget)>();
        foreach (var step in run.Steps)
        {
            if (step.Result is { } result)
            {
                reported[result.Id] = result.Objectives?.ToArray();
                continue;
            }

            var request = step.Request!;
            var candidates = PromotableNow(run.Requests, reported, moved, promotionObjective);
            if (request.Rung == 0)
            {
                Assert.Empty(candidates);
                continue;
            }

            var parent = request.Parent!.Value;
            Assert.Equal(new TrialId(request.Id.ConfigurationId, parent.Budget), parent);
            Assert.NotNull(reported[parent]);
            Assert.Contains((request.Bracket, parent), candidates.Select(c => (c.Bracket, c.Id)));

            // Highest budget first.
            Assert.Equal(candidates.Max(c => c.Id.Budget), parent.Budget);
            Assert.True(moved.Add((request.Id.ConfigurationId, parent.Budget)), $"{request.Id} left budget {parent.Budget} twice");
        }
    }

    [Fact]
    public void Replaying_the_journal_makes_the_same_decisions_at_every_step()
    {
        var live = Create("mo-bohb", seed: 11);
        var run = SimulatedDevices.Run(live, devices: 3, evaluations: 80);

        var replayed = Create("mo-bohb", seed: 11);
        foreach (var step in run.Steps)
        {
            if (step.Request is { } request)
            {
                var decided = Assert.IsType<OptimizerDecision.Run>(replayed.Decide()).Request;
                Assert.Equal(request with { Configuration = decided.Configuration }, decided);
                Assert.Equal(request.Configuration, decided.Configuration);
                replayed.Apply(request);
            }
            else
            {
                replayed.Apply(step.Result!);
            }
        }

        Assert.Equal(
            Assert.IsType<OptimizerDecision.Run>(live.Decide()).Request.Id,
            Assert.IsType<OptimizerDecision.Run>(replayed.Decide()).Request.Id);
        Assert.Equal(live.OpenBracketIds, replayed.OpenBracketIds);
    }

    [Fact]
    public void Facts_applied_twice_count_once()
    {
        var optimizer = Create();
        var first = optimizer.Ask()!;
        optimizer.Apply(first);
        var result = ToyProblem.Evaluate(first);
        optimizer.Tell(result);
        optimizer.Tell(result);
        Assert.Equal(1, optimizer.History.Count);
        Assert.Equal(1, optimizer.Ask()!.Id.ConfigurationId);
        Assert.Equal(2, optimizer.Ladders.Single().NewConfigurations);
    }

    [Fact]
    public void A_run_stops_exactly_at_its_evaluation_limit_and_max_brackets_finishes_the_optimizer()
    {
        Assert.Equal(57, SequentialRunner.Run(Create(), ToyProblem.Evaluate, 57).Count);

        // One Hyperband iteration: 9 + 5 + 3 new configurations, then the promotions they earn, then done.
        var optimizer = Create(maxBrackets: 3);
        var trials = SequentialRunner.Run(optimizer, ToyProblem.Evaluate, 1000);
        Assert.Equal(17, trials.Count(t => t.Request.Rung == 0));
        Assert.True(trials.Count > 17);
        Assert.IsType<OptimizerDecision.Finished>(optimizer.Decide());
        Assert.Empty(optimizer.OpenBracketIds);
    }

    [Fact]
    public void With_results_outstanding_and_no_new_configurations_left_the_optimizer_waits()
    {
        var optimizer = Create(maxBrackets: 1);
        var requests = Enumerable.Range(0, 9).Select(_ => optimizer.Ask()!).ToArray();
        Assert.IsType<OptimizerDecision.Wait>(optimizer.Decide());
        Assert.Equal(new long[] { 0 }, optimizer.OpenBracketIds);

        foreach (var request in requests)
        {
            optimizer.Tell(TrialResult.Failure(request.Id, "diverged"));
        }

        Assert.IsType<OptimizerDecision.Finished>(optimizer.Decide());
    }

    [Fact]
    public void A_promotion_the_optimizer_did_not_decide_is_refused()
    {
        var optimizer = Create();
        var request = optimizer.Ask()!;
        var bogus = request with { Id = new TrialId(request.Id.ConfigurationId, 3), Rung = 1, Parent = request.Id };
        Assert.Throws<InvalidOperationException>(() => optimizer.Apply(bogus));

        var wrongLadder = optimizer.Decide() is OptimizerDecision.Run run ? run.Request with { Bracket = 2 } : null;
        Assert.Throws<InvalidOperationException>(() => optimizer.Apply(wrongLadder!));
    }

    [Fact]
    public void The_factory_passes_asynchronous_promotion_to_every_successive_halving_method()
    {
        var settings = new HyperbandSettings { MinBudget = 1, MaxBudget = 9, Promotion = PromotionMode.Asynchronous };
        foreach (var name in new[] { "hyperband", "bohb", "mo-bohb" })
        {
            var optimizer = Assert.IsType<HyperbandOptimizer>(Methods.Create(name, Space, settings, 1));
            var trials = SequentialRunner.Run(optimizer, ToyProblem.Evaluate, 4);
            Assert.Equal(1, trials[3].Request.Rung);
            Assert.NotEmpty(optimizer.Ladders);
        }
    }

    /// <summary>
    /// The configurations a rung could promote given what had reported: the best ⌊n/η⌋ of each rung below the top
    /// (n counting failures), minus those that already moved up. Written from the rule, not from the ladder's code.
    /// </summary>
    private static List<TrialRequest> PromotableNow(
        List<TrialRequest> requests, Dictionary<TrialId, double[]?> reported, HashSet<(long, double)> moved, int? objective)
    {
        var candidates = new List<TrialRequest>();
        foreach (var rung in requests.Where(r => reported.ContainsKey(r.Id) && r.Id.Budget < 9).GroupBy(r => (r.Bracket, r.Id.Budget)))
        {
            var members = rung.OrderBy(r => requests.IndexOf(r)).ToList();
            var completed = members.Where(r => reported[r.Id] is not null).ToList();
            var quota = Math.Min(members.Count / 3, completed.Count);
            var points = completed.Select(r => objective is { } o ? new[] { reported[r.Id]![o] } : reported[r.Id]!).ToList();
            candidates.AddRange(Promotion.SelectBest(points, quota).Select(i => completed[i])
                .Where(r => !moved.Contains((r.Id.ConfigurationId, r.Id.Budget))));
        }

        return candidates;
    }

    /// <summary>
    /// Runs an optimizer as the engine would with several devices: each free device asks for a trial, and trials
    /// finish in order of a simulated duration (budget times a per-configuration speed), so results come back out
    /// of order. Records every decision and result in the order they happened, as the journal does.
    /// </summary>
    private static class SimulatedDevices
    {
        public sealed record Step(TrialRequest? Request, TrialResult? Result);

        public sealed record Outcome(List<Step> Steps, List<TrialRequest> Requests, List<TrialResult> Finished);

        public static Outcome Run(HyperbandOptimizer optimizer, int devices, int evaluations)
        {
            var steps = new List<Step>();
            var requests = new List<TrialRequest>();
            var finished = new List<TrialResult>();
            var running = new PriorityQueue<TrialRequest, (double, long)>();
            var now = 0.0;
            while (finished.Count < evaluations)
            {
                while (running.Count < devices && requests.Count < evaluations && optimizer.Decide() is OptimizerDecision.Run decision)
                {
                    optimizer.Apply(decision.Request);
                    steps.Add(new Step(decision.Request, null));
                    requests.Add(decision.Request);
                    var speed = 1 + (decision.Request.Id.ConfigurationId * 7 % 5);
                    running.Enqueue(decision.Request, (now + (decision.Request.Id.Budget * speed), requests.Count));
                }

                running.TryDequeue(out var done, out var at);
                now = at.Item1;

                // Every fifth configuration fails at its first budget, as diverging networks do.
                var result = done!.Id.ConfigurationId % 5 == 4 && done.Rung == 0 ? TrialResult.Failure(done.Id, "diverged") : ToyProblem.Evaluate(done);
                optimizer.Apply(result);
                steps.Add(new Step(null, result));
                finished.Add(result);
            }

            return new Outcome(steps, requests, finished);
        }
    }
}
