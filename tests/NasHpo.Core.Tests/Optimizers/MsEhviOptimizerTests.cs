using System.Diagnostics;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Models;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;
using Xunit.Abstractions;

namespace NasHpo.Core.Tests.Optimizers;

public class MsEhviOptimizerTests(ITestOutputHelper output)
{
    private static readonly SyntheticProblem Zdt1 = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6));

    private static readonly SearchSpace Space = SearchSpace.Create(
    [
        new FloatParameter("x", 0, 1),
        new FloatParameter("y", 0, 1),
        new CategoricalParameter("kind", ["a", "b", "c"]),
    ]);

    // The first objective depends on x only and plays the cheap one (a parameter count, say).
    private static double[] Objectives(Configuration c)
    {
        var penalty = c.GetString("kind") == "b" ? 0.0 : 0.2;
        return [c.GetDouble("x"), 1 - Math.Sqrt(c.GetDouble("x")) + (c.GetDouble("y") * c.GetDouble("y")) + penalty];
    }

    private static TrialResult Evaluate(TrialRequest request) => TrialResult.Completed(request.Id, Objectives(request.Configuration));

    private static MsEhviOptimizer Create(long seed = 1, Func<Configuration, double[]>? cheap = null) =>
        new(Space, new MsEhviSettings
        {
            MaxBudget = 9,
            ReferencePoint = [1.1, 2.5],
            Objectives = [new Objective("size", Cost: ObjectiveCost.Cheap), new Objective("error")],
            CheapObjectives = cheap,
            InitialConfigurations = 5,
            RandomCandidates = 100,
            LocalCandidates = 100,
        }, seed);

    [Fact]
    public void The_method_takes_the_studys_initial_design_size_and_defaults_to_two_d_plus_one_or_ten()
    {
        var budgets = new HyperbandSettings { MinBudget = 9, MaxBudget = 9, Eta = 3 };
        var wide = SearchSpace.Create(Enumerable.Range(0, 6).Select(i => (Parameter)new FloatParameter($"x{i}", 0, 1)).ToArray());
        MsEhviOptimizer Build(SearchSpace space, object? settings) =>
            (MsEhviOptimizer)OptimizerRegistry.BuiltIn.Create("ms-ehvi", new OptimizerContext(space, budgets, 1) { Settings = settings });

        Assert.Equal(10, Build(Space, null).InitialConfigurations);
        Assert.Equal(13, Build(wide, null).InitialConfigurations);
        Assert.Equal(3, Build(wide, new NasHpo.Core.Optimizers.Methods.MsEhviOptions(3)).InitialConfigurations);
    }

    [Theory]
    // 270 epochs buy 30 nine-epoch trials: a third of them, 10, is below 2·d + 1 = 13.
    [InlineData(null, 270.0, 10)]
    [InlineData(1_000_000L, 270.0, 10)]
    // The tighter limit counts: 12 evaluations buy 12 trials, a third rounded up is 4.
    [InlineData(12L, 270.0, 4)]
    [InlineData(13L, null, 5)]
    // Never below the two results a model is fitted on.
    [InlineData(3L, null, 2)]
    // Limits that buy many trials leave the paper's rule as it is.
    [InlineData(null, 9000.0, 13)]
    [InlineData(null, null, 13)]
    public void The_default_design_is_at_most_a_third_of_the_trials_the_studys_limits_buy(long? evaluations, double? epochs, int expected)
    {
        var budgets = new HyperbandSettings { MinBudget = 9, MaxBudget = 9, Eta = 3 };
        var wide = SearchSpace.Create(Enumerable.Range(0, 6).Select(i => (Parameter)new FloatParameter($"x{i}", 0, 1)).ToArray());
        var limits = new OptimizerLimits(MaxEvaluations: evaluations, MaxBudgetSpent: epochs);
        MsEhviOptimizer Build(object? settings) =>
            (MsEhviOptimizer)OptimizerRegistry.BuiltIn.Create("ms-ehvi", new OptimizerContext(wide, budgets, 1) { Settings = settings, Limits = limits });

        Assert.Equal(expected, Build(null).InitialConfigurations);
        // A stated design is taken as it is, whatever the limits.
        Assert.Equal(20, Build(new NasHpo.Core.Optimizers.Methods.MsEhviOptions(20)).InitialConfigurations);
    }

    [Fact]
    public void The_default_design_ends_at_a_third_of_the_wall_clock_limit_and_a_stated_one_does_not()
    {
        var budgets = new HyperbandSettings { MinBudget = 9, MaxBudget = 9, Eta = 3 };
        var elapsed = TimeSpan.Zero;
        var limits = new OptimizerLimits(MaxWallClock: TimeSpan.FromMinutes(30));
        IOptimizer Build(object? settings) => OptimizerRegistry.BuiltIn.Create("ms-ehvi", new OptimizerContext(Space, budgets, 3)
        {
            Settings = settings,
            Limits = limits,
            Elapsed = () => elapsed,
        });
        var timed = Build(null);
        var stated = Build(new NasHpo.Core.Optimizers.Methods.MsEhviOptions(10));
        var trials = SequentialRunner.Run(timed, Evaluate, 5);
        foreach (var trial in trials)
        {
            Assert.Equal(trial.Request, stated.Decide() is OptimizerDecision.Run run ? run.Request : null);
            stated.Apply(trial.Request);
            stated.Apply(trial.Result);
        }

        // Before a third of the 30 minutes both still sample their design (the same draws: same seed, same ids).
        elapsed = TimeSpan.FromMinutes(9);
        Assert.Equal(stated.Decide(), timed.Decide());

        // From 10 minutes on the default design is over: the proposal is the model's, the one a design of 5 makes
        // on the same results; a stated design of 10 goes on sampling.
        elapsed = TimeSpan.FromMinutes(10);
        var modelled = Build(new NasHpo.Core.Optimizers.Methods.MsEhviOptions(5));
        foreach (var trial in trials)
        {
            modelled.Apply(trial.Request);
            modelled.Apply(trial.Result);
        }

        Assert.Equal(modelled.Decide(), timed.Decide());
        Assert.NotEqual(stated.Decide(), timed.Decide());
    }

    [Fact]
    public void Runs_every_configuration_at_the_full_budget_as_its_own_bracket()
    {
        var trials = SequentialRunner.Run(Create(), Evaluate, 8);
        Assert.Equal(8, trials.Count);
        Assert.All(trials, t => Assert.Equal((9.0, 0, (TrialId?)null, t.Request.Id.ConfigurationId), (t.Request.Id.Budget, t.Request.Rung, t.Request.Parent, t.Request.Bracket)));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), trials.Select(t => t.Request.Id.ConfigurationId));
    }

    [Fact]
    public void Decide_is_pure_and_replay_rebuilds_the_same_next_decision()
    {
        var live = Create();
        var trials = SequentialRunner.Run(live, Evaluate, 8);
        var first = live.Decide();
        Assert.Equal(first, live.Decide());

        var replayed = Create();
        foreach (var trial in trials)
        {
            replayed.Apply(trial.Request);
            replayed.Apply(trial.Request);
            replayed.Apply(trial.Result);
            replayed.Apply(trial.Result);
        }

        Assert.Equal(first, replayed.Decide());
        Assert.Equal(live.OpenBracketIds, replayed.OpenBracketIds);
    }

    [Fact]
    public void Hyperparameters_are_refitted_for_every_proposal_up_to_the_threshold_then_as_the_data_grow_by_the_factor()
    {
        Assert.Equal(new[] { 2, 10, 30 }, new[] { 2, 10, 30 }.Select(n => GaussianProcessRefitSchedule.RefitPoint(n, 30, 1.1)));
        // 30 → 33 → 37 → 41 → 46: ⌈30·1.1⌉ = 33, ⌈33·1.1⌉ = 37, ⌈37·1.1⌉ = 41, ⌈41·1.1⌉ = 46.
        Assert.Equal(
            new[] { 30, 30, 33, 33, 33, 33, 37, 41, 41, 46 },
            new[] { 31, 32, 33, 34, 35, 36, 37, 41, 45, 46 }.Select(n => GaussianProcessRefitSchedule.RefitPoint(n, 30, 1.1)));
        // A growth that rounds to no growth still moves on by one.
        Assert.Equal(5, GaussianProcessRefitSchedule.RefitPoint(5, 2, 1.01));
    }

    [Fact]
    public void Between_refits_a_resumed_optimizer_decides_as_the_live_one_whose_fitted_hyperparameters_are_cached()
    {
        // Refits at 4, 5, 6, 8, 10, 13, ...: most of these 16 proposals reuse a cached fit.
        MsEhviOptimizer Build() => new(Space, new MsEhviSettings
        {
            MaxBudget = 9,
            ReferencePoint = [1.1, 2.5],
            InitialConfigurations = 3,
            RandomCandidates = 60,
            LocalCandidates = 60,
            ModelFit = new GaussianProcessFitSettings { RefitEveryProposalUpTo = 4, RefitGrowth = 1.25 },
        }, 5);
        var live = Build();
        var trials = SequentialRunner.Run(live, Evaluate, 16);
        var next = live.Decide();

        var resumed = Build();
        foreach (var trial in trials)
        {
            resumed.Apply(trial.Request);
            resumed.Apply(trial.Result);
        }

        Assert.Equal(next, resumed.Decide());
    }

    [Theory]
    [InlineData(1, 1.1)]
    [InlineData(30, 1.0)]
    [InlineData(30, double.NaN)]
    public void Refit_settings_out_of_range_are_refused(int everyUpTo, double growth) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new MsEhviOptimizer(Space, new MsEhviSettings
        {
            MaxBudget = 9,
            ModelFit = new GaussianProcessFitSettings { RefitEveryProposalUpTo = everyUpTo, RefitGrowth = growth },
        }, 1));

    [Fact]
    public void Parallel_proposals_differ_while_trials_are_pending()
    {
        var optimizer = Create();
        SequentialRunner.Run(optimizer, Evaluate, 6);
        var a = optimizer.Ask()!;
        var b = optimizer.Ask()!;
        Assert.NotEqual(a.Configuration, b.Configuration);
        Assert.Equal([6L, 7L], optimizer.OpenBracketIds);
        optimizer.Tell(Evaluate(b));
        optimizer.Tell(TrialResult.Failure(a.Id, "out of memory"));
        Assert.Empty(optimizer.OpenBracketIds);
        Assert.True(optimizer.History.All[^1].Failed);
        Assert.IsType<OptimizerDecision.Run>(optimizer.Decide());
    }

    [Fact]
    public void Cheap_objectives_are_computed_exactly_for_candidates()
    {
        var calls = 0;
        double[] Cheap(Configuration c)
        {
            Interlocked.Increment(ref calls);
            return [Objectives(c)[0], double.NaN];
        }

        var optimizer = Create(cheap: Cheap);
        var trials = SequentialRunner.Run(optimizer, Evaluate, 8);
        Assert.Equal(8, trials.Count);
        // Three model-based proposals, each weighing 200 candidates by their exact cheap value.
        Assert.True(calls >= 3 * 200, $"{calls} cheap evaluations");
    }

    [Fact]
    public void With_only_the_cheap_objective_left_to_improve_it_picks_the_exact_best()
    {
        // The expensive objective is constant, so the only improvement comes from the cheap one, which the
        // optimizer knows exactly: it must propose the candidate with the smallest x among those it considered.
        var optimizer = new MsEhviOptimizer(Space, new MsEhviSettings
        {
            MaxBudget = 9,
            ReferencePoint = [1.1, 2],
            Objectives = [new Objective("size", Cost: ObjectiveCost.Cheap), new Objective("error")],
            CheapObjectives = c => [c.GetDouble("x"), double.NaN],
            InitialConfigurations = 4,
            RandomCandidates = 200,
            LocalCandidates = 0,
        }, 3);
        var trials = SequentialRunner.Run(optimizer, r => TrialResult.Completed(r.Id, [r.Configuration.GetDouble("x"), 1.0]), 5);
        var proposed = trials[^1].Request.Configuration.GetDouble("x");
        Assert.True(proposed < trials.Take(4).Min(t => t.Request.Configuration.GetDouble("x")));
        Assert.True(proposed < 0.02, $"proposed x = {proposed}");
    }

    [Fact]
    public void Factory_creates_ms_ehvi_and_existing_calls_still_compile()
    {
        var settings = new HyperbandSettings { MinBudget = 1, MaxBudget = 9, MaxBrackets = 3 };
        var optimizer = Methods.Create("ms-ehvi", Space, settings, 1, referencePoint: [1.1, 2.5]);
        Assert.IsType<MsEhviOptimizer>(optimizer);
        Assert.Contains("ms-ehvi", OptimizerRegistry.BuiltIn.Names);
        var trials = SequentialRunner.Run(optimizer, Evaluate, 10);
        Assert.Equal(3, trials.Count);
        Assert.IsType<OptimizerDecision.Finished>(optimizer.Decide());
    }

    [Fact]
    public void Three_objectives_use_Monte_Carlo_EHVI_and_stay_deterministic()
    {
        MsEhviOptimizer Build() => new(Space, new MsEhviSettings
        {
            MaxBudget = 1,
            ReferencePoint = [1.1, 2.5, 1.1],
            InitialConfigurations = 5,
            RandomCandidates = 50,
            LocalCandidates = 50,
            MonteCarloSamples = 32,
        }, 5);
        TrialResult Three(TrialRequest r) =>
            TrialResult.Completed(r.Id, [.. Objectives(r.Configuration), r.Configuration.GetDouble("y")]);

        var a = SequentialRunner.Run(Build(), Three, 8);
        var b = SequentialRunner.Run(Build(), Three, 8);
        Assert.Equal(a.Select(t => t.Request), b.Select(t => t.Request));
    }

    private static double FinalHypervolume(IOptimizer optimizer, int evaluations)
    {
        var trials = SequentialRunner.Run(
            optimizer,
            request => TrialResult.Completed(request.Id, Zdt1.Evaluate(request.Configuration, request.Id.Budget, request.Id.Budget)),
            evaluations);
        return Hypervolume.Compute(trials.Select(t => t.Result.Objectives!.ToArray()).ToArray(), Zdt1.ReferencePoint);
    }

    [Fact]
    public void Beats_random_search_on_ZDT1_at_equal_evaluations()
    {
        // 6-D ZDT1, 60 full-budget evaluations, 3 seeds; reference (1.1, 11) as the problem defines it.
        const int evaluations = 60;
        var settings = new HyperbandSettings { MinBudget = 1, MaxBudget = 1 };
        var watch = Stopwatch.StartNew();
        var seeds = new long[] { 1, 2, 3 };
        var random = seeds.Select(s => FinalHypervolume(Methods.Create("random", Zdt1.Space, settings, s), evaluations)).Order().ToArray();
        var msEhvi = seeds.Select(s => FinalHypervolume(
            Methods.Create("ms-ehvi", Zdt1.Space, settings, s, referencePoint: Zdt1.ReferencePoint), evaluations)).Order().ToArray();
        output.WriteLine($"random {string.Join(", ", random.Select(v => v.ToString("F4")))}; ms-ehvi {string.Join(", ", msEhvi.Select(v => v.ToString("F4")))}; {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(new[] { 1.1, 11.0 }, Zdt1.ReferencePoint);
        Assert.True(msEhvi[1] > random[1], $"MS-EHVI median hypervolume {msEhvi[1]:F4} is not above random search's {random[1]:F4}");
    }
}
