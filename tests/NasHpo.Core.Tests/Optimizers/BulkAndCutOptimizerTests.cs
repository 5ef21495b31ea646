using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

public class BulkAndCutOptimizerTests
{
    /// <summary>Table 2's names on a small scale: the morphisms recognise them.</summary>
    private static readonly SearchSpace Network = SearchSpace.Create(
    [
        new IntegerParameter("conv_layers", 1, 3),
        new IntegerParameter("filters_1", 4, 64, Log: true),
        new IntegerParameter("filters_2", 4, 64, Log: true) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new IntegerParameter("filters_3", 4, 64, Log: true) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "3")] },
        new CategoricalParameter("kernel_1", ["5", "3"]),
        new CategoricalParameter("kernel_2", ["5", "3"]) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new CategoricalParameter("kernel_3", ["5", "3"]) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "3")] },
        new BooleanParameter("batch_norm_1"),
        new BooleanParameter("batch_norm_2") { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new BooleanParameter("batch_norm_3") { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "3")] },
        new BooleanParameter("global_avg_pooling"),
        new IntegerParameter("fc_layers", 1, 2),
        new IntegerParameter("units_1", 4, 64, Log: true),
        new IntegerParameter("units_2", 4, 64, Log: true) { Conditions = [new Condition("fc_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new FloatParameter("learning_rate", 1e-4, 1e-1, Log: true),
        new IntegerParameter("batch_size", 16, 256, Log: true),
    ]);

    private static readonly string[] Architecture = Network.Parameters.Select(p => p.Name).Where(n => n is not ("learning_rate" or "batch_size")).ToArray();

    /// <summary>A stand-in for training: error falls with size and with a learning rate near 0.01; size is the cost.</summary>
    private static double[] NetworkObjectives(Configuration c)
    {
        var size = Size(c);
        var lr = Math.Log10(c.GetDouble("learning_rate")) + 2;
        return [(1.0 / Math.Log(size)) + (0.1 * lr * lr), size];
    }

    private static double Size(Configuration c) =>
        Enumerable.Range(1, c.GetInt32("conv_layers")).Sum(i => c.GetDouble($"filters_{i}"))
        + Enumerable.Range(1, c.GetInt32("fc_layers")).Sum(i => c.GetDouble($"units_{i}"));

    private static BulkAndCutOptimizer CreateNetwork(long evaluations = 40, long seed = 3) =>
        new(Network, new BulkAndCutSettings
        {
            Budget = 5,
            MaxEvaluations = evaluations,
            Objectives = [new Objective("error"), new Objective("size", Cost: ObjectiveCost.Cheap)],
            CheapObjectives = c => [double.NaN, Size(c)],
            ReferencePoint = [2, 400],
            RandomCandidates = 32,
            LocalCandidates = 32,
        },
        seed);

    private static TrialResult Evaluate(TrialRequest request) => TrialResult.Completed(request.Id, NetworkObjectives(request.Configuration));

    [Fact]
    public void Phases_are_shares_of_the_evaluations_and_children_carry_their_lineage()
    {
        var trials = SequentialRunner.Run(CreateNetwork(), Evaluate, 40);

        Assert.Equal(40, trials.Count);
        // 35 % of 40 = 14 random configurations, 40 % = 16 bulk-up children, the last 10 cut-down children.
        Assert.Equal(Enumerable.Repeat(0, 14).Concat(Enumerable.Repeat(1, 16)).Concat(Enumerable.Repeat(2, 10)), trials.Select(t => t.Request.Rung));
        Assert.All(trials.Take(14), t => Assert.Null(t.Request.Lineage));
        var byId = trials.ToDictionary(t => t.Request.Id);
        foreach (var child in trials.Skip(14))
        {
            var lineage = Assert.IsType<TrialLineage>(child.Request.Lineage);
            var parent = byId[lineage.ParentTrial];
            Assert.True(parent.Request.Id.ConfigurationId < child.Request.Id.ConfigurationId);
            Assert.Equal(parent.Request.Configuration, lineage.ParentConfiguration);
            var morphism = Morphism.Parse(lineage.Operation);
            var before = Size(parent.Request.Configuration);
            var after = Size(child.Request.Configuration);
            if (child.Request.Rung == 1)
            {
                Assert.Contains(morphism.Kind, new[] { Morphism.Wider, Morphism.Deeper });
                Assert.True(after > before, $"{lineage.Operation} left the size at {after} (parent {before})");
            }
            else
            {
                Assert.Equal(Morphism.Prune, morphism.Kind);
                Assert.True(after < before, $"{lineage.Operation} left the size at {after} (parent {before})");
            }

            Network.Validate(child.Request.Configuration);
        }
    }

    [Fact]
    public void A_child_keeps_its_parents_architecture_apart_from_the_morphed_layer()
    {
        var trials = SequentialRunner.Run(CreateNetwork(), Evaluate, 40);
        var byId = trials.ToDictionary(t => t.Request.Id);
        var hyperparametersChanged = 0;
        foreach (var child in trials.Where(t => t.Request.Lineage is not null))
        {
            var lineage = child.Request.Lineage!;
            var parent = lineage.ParentConfiguration;
            var morphism = Morphism.Parse(lineage.Operation);
            var changed = Architecture
                .Where(n => parent.TryGetValue(n, out var a) != child.Request.Configuration.TryGetValue(n, out var b) || a != b)
                .ToArray();
            var expected = morphism switch
            {
                { Kind: Morphism.Deeper, Parameter: "conv_layers" } => new[] { "conv_layers", $"filters_{parent.GetInt32("conv_layers") + 1}", $"kernel_{parent.GetInt32("conv_layers") + 1}", $"batch_norm_{parent.GetInt32("conv_layers") + 1}" },
                { Kind: Morphism.Deeper } => ["fc_layers", $"units_{parent.GetInt32("fc_layers") + 1}"],
                _ => [morphism.Parameter],
            };
            Assert.Equal(expected.Order(), changed.Order());
            if (morphism.Kind == Morphism.Deeper && morphism.Parameter == "conv_layers")
            {
                var layer = parent.GetInt32("conv_layers") + 1;
                Assert.Equal(parent.GetDouble($"filters_{layer - 1}"), child.Request.Configuration.GetDouble($"filters_{layer}"));
                Assert.Equal("3", child.Request.Configuration.GetString($"kernel_{layer}"));
                Assert.False(child.Request.Configuration.GetBoolean($"batch_norm_{layer}"));
            }

            if (morphism.Kind == Morphism.Wider)
            {
                Assert.Equal(Math.Min(64, 2 * parent.GetDouble(morphism.Parameter)), child.Request.Configuration.GetDouble(morphism.Parameter));
            }

            if (parent.GetDouble("learning_rate") != child.Request.Configuration.GetDouble("learning_rate"))
            {
                hyperparametersChanged++;
            }
        }

        // Constrained BO moves the hyperparameters of most children once it has a model.
        Assert.True(hyperparametersChanged > 10, $"only {hyperparametersChanged} children got new hyperparameters");
    }

    /// <summary>A tabular grid's space: one width, kernel and batch-norm setting for every layer, widths as lists of sizes.</summary>
    private static readonly SearchSpace TiedGrid = SearchSpace.Create(
    [
        new IntegerParameter("conv_layers", 1, 3),
        new OrdinalParameter("filters", ["8", "16", "32"]),
        new OrdinalParameter("kernel", ["3", "5"]),
        new BooleanParameter("batch_norm"),
        new BooleanParameter("global_avg_pooling"),
        new IntegerParameter("fc_layers", 1, 2),
        new OrdinalParameter("units", ["16", "64", "256"]),
        new OrdinalParameter("learning_rate", ["0.0003", "0.003", "0.03"]),
    ]);

    [Fact]
    public void On_a_tied_grid_children_step_along_the_listed_widths_and_layers_share_them()
    {
        var morphisms = new ArchitectureMorphisms(TiedGrid);
        // Only the learning rate is left to constrained BO: the tied names are the network's parts.
        Assert.Equal(["learning_rate"], morphisms.Hyperparameters);
        var parent = new Configuration(new Dictionary<string, ParameterValue>
        {
            ["conv_layers"] = ParameterValue.Of(1),
            ["filters"] = ParameterValue.Of("16"),
            ["kernel"] = ParameterValue.Of("5"),
            ["batch_norm"] = ParameterValue.Of(true),
            ["global_avg_pooling"] = ParameterValue.Of(false),
            ["fc_layers"] = ParameterValue.Of(2),
            ["units"] = ParameterValue.Of("256"),
            ["learning_rate"] = ParameterValue.Of("0.003"),
        });
        Assert.Equal(
            ["deeper conv_layers", "wider filters"],
            morphisms.BulkUpOptions(parent).Select(m => m.ToString()).Order());
        Assert.Equal(
            ["prune filters", "prune units"],
            morphisms.CutDownOptions(parent).Select(m => m.ToString()).Order());

        var random = new Random(1);
        Assert.Equal("32", morphisms.Apply(parent, new Morphism(Morphism.Wider, "filters"), random).GetString("filters"));
        Assert.Equal("8", morphisms.Apply(parent, new Morphism(Morphism.Prune, "filters"), random).GetString("filters"));
        Assert.Equal("64", morphisms.Apply(parent, new Morphism(Morphism.Prune, "units"), random).GetString("units"));
        var deeper = morphisms.Apply(parent, new Morphism(Morphism.Deeper, "conv_layers"), random);
        Assert.Equal(2, deeper.GetInt32("conv_layers"));
        Assert.Equal(
            parent.Values.Where(v => v.Key != "conv_layers").OrderBy(v => v.Key),
            deeper.Values.Where(v => v.Key != "conv_layers").OrderBy(v => v.Key));
    }

    [Fact]
    public void On_a_discrete_space_no_configuration_is_scheduled_twice_unless_the_papers_rule_is_asked_for()
    {
        // A stand-in for the table: error falls with width and depth, size grows with them.
        static double[] Grid(Configuration c)
        {
            var size = c.GetInt32("conv_layers") * double.Parse(c.GetString("filters"), System.Globalization.CultureInfo.InvariantCulture)
                + (c.GetInt32("fc_layers") * double.Parse(c.GetString("units"), System.Globalization.CultureInfo.InvariantCulture));
            var lr = Math.Log10(double.Parse(c.GetString("learning_rate"), System.Globalization.CultureInfo.InvariantCulture)) + 2.5;
            return [(1.0 / Math.Log(size)) + (0.1 * lr * lr) + (c.GetBoolean("batch_norm") ? 0 : 0.05), size];
        }

        int Repeats(bool distinct, long seed)
        {
            var optimizer = new BulkAndCutOptimizer(
                TiedGrid,
                new BulkAndCutSettings { Budget = 9, MaxEvaluations = 50, ReferencePoint = [2, 2000], RandomCandidates = 8, LocalCandidates = 8, DistinctConfigurations = distinct },
                seed);
            var trials = SequentialRunner.Run(optimizer, r => TrialResult.Completed(r.Id, Grid(r.Configuration)), 50);
            Assert.Equal(50, trials.Count);
            return trials.Count - trials.Select(t => t.Request.Configuration).Distinct().Count();
        }

        var seeds = Enumerable.Range(1, 3).Select(s => (long)s).ToArray();
        Assert.All(seeds, seed => Assert.Equal(0, Repeats(distinct: true, seed)));
        // The paper's rule repeats some (the reason for the setting); a test that could not see a repeat proves nothing.
        Assert.True(seeds.Sum(seed => Repeats(distinct: false, seed)) > 0);
    }

    [Fact]
    public void Constrained_BO_steers_the_learning_rate_towards_the_good_region()
    {
        var trials = SequentialRunner.Run(CreateNetwork(60), Evaluate, 60);
        // The stand-in's error is smallest at a learning rate of 0.01; random draws over [1e-4, 1e-1] average 1.25
        // decades away from it, BO's choices should be much closer.
        static double Distance(EvaluatedTrial t) => Math.Abs(Math.Log10(t.Request.Configuration.GetDouble("learning_rate")) + 2);
        var late = trials.Skip(30).Average(Distance);
        Assert.True(late < 0.6, $"children's learning rates are {late:F2} decades from the best on average");
    }

    [Fact]
    public void Decide_is_pure_and_replay_rebuilds_the_same_next_decision()
    {
        var live = CreateNetwork();
        var trials = SequentialRunner.Run(live, Evaluate, 25);
        var first = live.Decide();
        Assert.Equal(first, live.Decide());

        var replayed = CreateNetwork();
        foreach (var trial in trials)
        {
            replayed.Apply(trial.Request);
            replayed.Apply(trial.Result);
            replayed.Apply(trial.Request);
        }

        Assert.Equal(first, replayed.Decide());
    }

    [Fact]
    public void Wall_clock_phases_follow_the_clock_and_never_go_back()
    {
        var elapsed = TimeSpan.Zero;
        var optimizer = new BulkAndCutOptimizer(Network, new BulkAndCutSettings
        {
            Budget = 1,
            MaxWallClock = TimeSpan.FromMinutes(10),
            Elapsed = () => elapsed,
            PhaseShares = [0.5, 0.3, 0.2],
        },
        seed: 1);
        var rungs = new List<int>();
        foreach (var minutes in new[] { 0, 1, 4, 5.5, 6, 8.5, 9, 2 })
        {
            elapsed = TimeSpan.FromMinutes(minutes);
            var request = optimizer.Ask()!;
            optimizer.Tell(Evaluate(request));
            rungs.Add(request.Rung);
        }

        // The last decision comes from a clock set back (a resumed study on another machine, say): still cut-down.
        Assert.Equal([0, 0, 0, 1, 1, 2, 2, 2], rungs);
    }

    [Fact]
    public void With_both_limits_the_one_further_used_up_sets_the_phase()
    {
        // A study limited to 1 000 evaluations and 10 minutes that runs a dozen evaluations a minute ends by the clock:
        // its phases must follow the clock, or it never leaves initialisation.
        var elapsed = TimeSpan.Zero;
        var optimizer = new BulkAndCutOptimizer(Network, new BulkAndCutSettings
        {
            Budget = 1,
            MaxEvaluations = 1000,
            MaxWallClock = TimeSpan.FromMinutes(10),
            Elapsed = () => elapsed,
            PhaseShares = [0.5, 0.3, 0.2],
        },
        seed: 1);
        var rungs = new List<int>();
        foreach (var minutes in new[] { 0, 4, 6, 9 })
        {
            elapsed = TimeSpan.FromMinutes(minutes);
            var request = optimizer.Ask()!;
            optimizer.Tell(Evaluate(request));
            rungs.Add(request.Rung);
        }

        Assert.Equal([0, 0, 1, 2], rungs);
        Assert.Equal(BulkAndCutPhase.CutDown, optimizer.PhaseFor(4));

        // And the evaluation limit, when it is the one further used up.
        var byCount = new BulkAndCutOptimizer(Network, new BulkAndCutSettings
        {
            Budget = 1,
            MaxEvaluations = 10,
            MaxWallClock = TimeSpan.FromHours(10),
            Elapsed = () => TimeSpan.Zero,
            PhaseShares = [0.5, 0.3, 0.2],
        },
        seed: 1);
        Assert.Equal(BulkAndCutPhase.Initialization, byCount.PhaseFor(4));
        Assert.Equal(BulkAndCutPhase.BulkUp, byCount.PhaseFor(5));
        Assert.Equal(BulkAndCutPhase.CutDown, byCount.PhaseFor(8));
    }

    [Fact]
    public void Failed_trials_never_become_parents()
    {
        var optimizer = CreateNetwork(10);
        var failed = new HashSet<TrialId>();
        var trials = SequentialRunner.Run(optimizer, request =>
        {
            if (request.Id.ConfigurationId % 2 == 0)
            {
                failed.Add(request.Id);
                return TrialResult.Failure(request.Id, "diverged");
            }

            return Evaluate(request);
        }, 10);
        Assert.All(trials.Where(t => t.Request.Lineage is not null), t => Assert.DoesNotContain(t.Request.Lineage!.ParentTrial, failed));
        Assert.Contains(trials, t => t.Request.Lineage is not null);
    }

    [Fact]
    public void Paretslon_greedy_takes_the_first_front_with_probability_one_minus_epsilon()
    {
        // Front 1: indices 0-1; front 2: 2-3; front 3: 4.
        double[][] points = [[0, 1], [1, 0], [1, 2], [2, 1], [3, 3]];
        var random = new Random(7);
        var counts = new int[3];
        const int Draws = 20_000;
        for (var i = 0; i < Draws; i++)
        {
            var chosen = ParetoEpsilonGreedy.Select(points, 0.15, random);
            counts[chosen < 2 ? 0 : chosen < 4 ? 1 : 2]++;
        }

        Assert.InRange(counts[0] / (double)Draws, 0.84, 0.86);
        Assert.InRange(counts[1] / (double)Draws, 0.85 * 0.15 - 0.01, (0.85 * 0.15) + 0.01);
        Assert.InRange(counts[2] / (double)Draws, (0.15 * 0.15) - 0.005, (0.15 * 0.15) + 0.005);
        Assert.Equal(0, ParetoEpsilonGreedy.Select(points, 0.0, random) / 2);
    }

    [Fact]
    public void On_a_synthetic_problem_children_are_steps_of_the_parents_parameters()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(6));
        var optimizer = new BulkAndCutOptimizer(problem.Space, new BulkAndCutSettings { Budget = 1, MaxEvaluations = 30 }, seed: 2);
        var trials = SequentialRunner.Run(optimizer, r => TrialResult.Completed(r.Id, problem.Evaluate(r.Configuration, 1, 1)), 30);

        Assert.Empty(optimizer.Morphisms.Hyperparameters);
        foreach (var child in trials.Where(t => t.Request.Lineage is not null))
        {
            var morphism = Morphism.Parse(child.Request.Lineage!.Operation);
            var before = child.Request.Lineage.ParentConfiguration.GetDouble(morphism.Parameter);
            var after = child.Request.Configuration.GetDouble(morphism.Parameter);
            Assert.True(child.Request.Rung == 1 ? after > before : after < before, $"{morphism} moved {before} to {after}");
            var others = problem.Space.Parameters.Select(p => p.Name).Where(n => n != morphism.Parameter);
            Assert.All(others, n => Assert.Equal(child.Request.Lineage.ParentConfiguration.GetDouble(n), child.Request.Configuration.GetDouble(n)));
        }
    }

    [Fact]
    public void BULK_AND_CUT_beats_random_search_on_ZDT1_at_equal_evaluations()
    {
        var random = Zdt1Quality.Median("random", 27, 27);
        var bulkAndCut = Enumerable.Range(1, 5)
            .Select(seed =>
            {
                var optimizer = new BulkAndCutOptimizer(Zdt1Quality.Zdt1.Space, new BulkAndCutSettings { Budget = 27, MaxEvaluations = 200 }, seed);
                var trials = SequentialRunner.Run(optimizer, r => TrialResult.Completed(r.Id, Zdt1Quality.Zdt1.Evaluate(r.Configuration, 27, 27)), 200);
                return Hypervolume.Compute(trials.Select(t => t.Result.Objectives!.ToArray()).ToArray(), Zdt1Quality.Zdt1.ReferencePoint);
            })
            .Order()
            .ElementAt(2);
        Assert.True(bulkAndCut > random, $"BULK & CUT median hypervolume {bulkAndCut:F4} is not above random search's {random:F4}");
    }

    [Fact]
    public void Settings_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new BulkAndCutOptimizer(Network, new BulkAndCutSettings { Budget = 1, MaxEvaluations = 10, PhaseShares = [0.5, 0.4, 0.2] }, 1));
        Assert.Throws<ArgumentException>(() => new BulkAndCutOptimizer(Network, new BulkAndCutSettings { Budget = 1, MaxEvaluations = 10, Epsilon = 1.5 }, 1));
        Assert.Throws<ArgumentException>(() => new BulkAndCutOptimizer(Network, new BulkAndCutSettings { Budget = 1 }, 1));
        Assert.Throws<ArgumentException>(() => new BulkAndCutOptimizer(Network, new BulkAndCutSettings { Budget = 1, MaxEvaluations = 10, Hyperparameters = ["momentum"] }, 1));
        Assert.Equal(["learning_rate", "batch_size"], ArchitectureMorphisms.DefaultHyperparameters(Network).Order(StringComparer.Ordinal).Reverse());
    }
}
