using System.Diagnostics;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;
using NasHpo.Core.Workloads;

namespace NasHpo.Core.Tests.Tabular;

public class TabularTableTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
    [
        new IntegerParameter("layers", 1, 2),
        new OrdinalParameter("width", ["8", "16"]),
        new BooleanParameter("norm") { Conditions = [new Condition("layers", ConditionOperator.GreaterOrEqual, "2")] },
    ]);

    private static readonly Objective[] ErrorAndParams = [new("val-error"), new("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap)];

    [Fact]
    public void A_discrete_space_is_enumerated_with_its_conditions()
    {
        var all = DiscreteEnumeration.All(Space);
        // layers = 1: 2 widths; layers = 2: 2 widths x 2 norms.
        Assert.Equal(6, all.Count);
        Assert.Equal(6, all.Distinct().Count());
        Assert.All(all, Space.Validate);
        Assert.DoesNotContain(all, c => c.GetInt32("layers") == 1 && c.Contains("norm"));
    }

    [Fact]
    public void A_float_parameter_has_no_grid()
    {
        var space = SearchSpace.Create([new FloatParameter("lr", 1e-3, 1e-1, Log: true)]);
        var error = Assert.Throws<SearchSpaceException>(() => DiscreteEnumeration.All(space));
        Assert.Contains("'lr'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every configuration with two seeds; seed 1 is worse by 0.05 everywhere; error falls with epochs.</summary>
    private static TabularTable Table(int epochs = 3, int seeds = 2, Func<Configuration, int, int?>? diverged = null)
    {
        var runs = new List<TabularRun>();
        var k = 0;
        foreach (var configuration in DiscreteEnumeration.All(Space))
        {
            k++;
            var width = configuration.GetInt32("width");
            var parameters = width * configuration.GetInt32("layers") * 10.0;
            for (var seed = 0; seed < seeds; seed++)
            {
                var stop = diverged?.Invoke(configuration, seed);
                var recorded = stop is { } d ? d - 1 : epochs;
                var error = Enumerable.Range(1, recorded).Select(e => (0.5 / e) + (0.01 * k) + (0.05 * seed)).ToArray();
                runs.Add(new TabularRun(
                    configuration,
                    seed,
                    new Dictionary<string, double> { ["params"] = parameters, [TabularTable.OverheadSeconds] = 0.5 },
                    new Dictionary<string, IReadOnlyList<double>>
                    {
                        ["val-error"] = error,
                        ["test-error"] = error.Select(v => v + 0.01).ToArray(),
                        [TabularTable.TrainSeconds] = Enumerable.Repeat(1.0, recorded).ToArray(),
                    },
                    stop));
            }
        }

        return new TabularTable(Space, epochs, new Dictionary<string, string>(), runs);
    }

    private static TrialRequest Request(Configuration configuration, double budget, double? parent = null) =>
        new(new TrialId(1, budget), configuration, 0, 0, parent is { } p ? new TrialId(1, p) : null);

    private static WorkloadContext Context(bool continueFromParent = true) =>
        new("cpu-0", _ => { }, CancellationToken.None) { ContinueFromParent = continueFromParent };

    [Fact]
    public void A_trial_at_budget_b_returns_the_values_recorded_at_epoch_b()
    {
        var table = Table();
        var configuration = table.Configurations[2];
        var workload = new TabularWorkload(table, ErrorAndParams, studySeed: 7);
        var run = table.RunFor(configuration, 7);
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            var result = workload.Run(Request(configuration, epoch), Context());
            Assert.Equal(run.Curves["val-error"][epoch - 1], result.Objectives[0]);
            Assert.Equal(run.Fixed["params"], result.Objectives[1]);
            Assert.Equal(run.Curves["test-error"][epoch - 1], result.Metrics["test-error"]);
            Assert.Equal(run.Seed, result.Metrics[TabularWorkload.TableSeed]);
        }
    }

    [Fact]
    public void A_continued_trial_reports_its_parents_budget_as_start_epoch_so_it_is_charged_only_the_new_epochs()
    {
        var table = Table();
        var configuration = table.Configurations[0];
        var workload = new TabularWorkload(table, ErrorAndParams, studySeed: 1);
        Assert.Equal(1.0, workload.Run(Request(configuration, 3, parent: 1), Context()).Metrics[TabularWorkload.StartEpoch]);
        Assert.Equal(2.0, workload.Run(Request(configuration, 3, parent: 1), Context()).Metrics[TabularWorkload.EpochsTrained]);
        // Retraining from scratch (continue-from-checkpoint = false) costs the whole budget.
        Assert.Equal(0.0, workload.Run(Request(configuration, 3, parent: 1), Context(continueFromParent: false)).Metrics[TabularWorkload.StartEpoch]);
    }

    [Fact]
    public void The_seed_a_study_sees_is_fixed_by_study_seed_and_configuration_and_both_seeds_get_used()
    {
        var table = Table();
        foreach (var configuration in table.Configurations)
        {
            Assert.Equal(table.RunFor(configuration, 3).Seed, table.RunFor(configuration, 3).Seed);
        }

        var picks = Enumerable.Range(0, 40).SelectMany(seed => table.Configurations.Select(c => table.RunFor(c, seed).Seed)).ToArray();
        Assert.Contains(0, picks);
        Assert.Contains(1, picks);
        // Different study seeds see different tables: some configuration's seed differs between study seeds 0 and 1..39.
        Assert.Contains(Enumerable.Range(1, 39), s => table.Configurations.Any(c => table.RunFor(c, s).Seed != table.RunFor(c, 0).Seed));
    }

    [Fact]
    public void A_configuration_the_table_lacks_and_a_budget_it_did_not_record_are_errors()
    {
        var table = Table();
        var workload = new TabularWorkload(table, ErrorAndParams, 1);
        var stranger = new Configuration([new("layers", ParameterValue.Of(1)), new("width", ParameterValue.Of("32"))]);
        Assert.Throws<NotInTableException>(() => workload.Run(Request(stranger, 1), Context()));
        Assert.Throws<ArgumentException>(() => workload.Run(Request(table.Configurations[0], 1.5), Context()));
        Assert.Throws<ArgumentException>(() => workload.Run(Request(table.Configurations[0], 4), Context()));
        Assert.Throws<ArgumentException>(() => new TabularWorkload(table, [new Objective("latency-ms")], 1));
    }

    [Fact]
    public void A_run_that_diverged_fails_from_its_divergence_on()
    {
        var table = Table(diverged: (c, _) => c.GetInt32("layers") == 2 ? 3 : null);
        var workload = new TabularWorkload(table, ErrorAndParams, 1);
        var deep = table.Configurations.First(c => c.GetInt32("layers") == 2);
        Assert.Equal(2, workload.Run(Request(deep, 2), Context()).Metrics[TabularWorkload.EpochsTrained]);
        var error = Assert.Throws<InvalidOperationException>(() => workload.Run(Request(deep, 3, parent: 2), Context()));
        Assert.Contains("diverged", error.Message, StringComparison.Ordinal);
        // The true front leaves diverged runs out.
        Assert.All(TabularFront.TrueFront(table, ErrorAndParams, 1), p => Assert.Equal(1, p.Configuration.GetInt32("layers")));
    }

    [Fact]
    public void The_true_front_is_the_non_dominated_set_at_the_last_epoch_for_the_study_seed()
    {
        var table = Table(seeds: 1);
        var front = TabularFront.TrueFront(table, ErrorAndParams, 1);
        // Errors grow with the configuration's position and params with width x layers: the first configuration
        // (layers 1, width 8: 80 params, the lowest error) dominates every other one.
        var single = Assert.Single(front);
        Assert.Equal(table.Configurations[0], single.Configuration);
        var expected = (1.0 - ((0.5 / 3) + 0.01)) * (100.0 - 80.0);
        Assert.Equal(expected, TabularFront.TrueHypervolume(table, ErrorAndParams, [1.0, 100.0], 1), 9);
    }

    [Fact]
    public void With_a_time_scale_a_trial_sleeps_for_its_new_epochs_and_one_evaluation()
    {
        var table = Table();
        var workload = new TabularWorkload(table, ErrorAndParams, 1) { TimeScale = 0.1 };
        var stopwatch = Stopwatch.StartNew();
        // Epochs 2 and 3 (1 s each) and one evaluation (0.5 s), times 0.1: 0.25 s.
        workload.Run(Request(table.Configurations[0], 3, parent: 1), Context());
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.24, 5.0);
    }

    [Fact]
    public void A_table_refuses_runs_with_missing_epochs()
    {
        var configuration = DiscreteEnumeration.All(Space)[0];
        var run = new TabularRun(
            configuration,
            0,
            new Dictionary<string, double> { [TabularTable.OverheadSeconds] = 0 },
            new Dictionary<string, IReadOnlyList<double>> { ["val-error"] = [0.5], [TabularTable.TrainSeconds] = [1.0] });
        Assert.Throws<ArgumentException>(() => new TabularTable(Space, 3, new Dictionary<string, string>(), [run]));
    }
}
