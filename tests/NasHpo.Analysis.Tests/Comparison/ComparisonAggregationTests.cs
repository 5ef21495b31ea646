using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Analysis.Comparison;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Tests.Comparison;

/// <summary>The comparison's arithmetic on numbers worked out by hand.</summary>
public sealed class ComparisonAggregationTests
{
    private static readonly double[] Reference = [10, 10];

    [Fact]
    public void Trace_counts_only_maximum_budget_results_and_recomputes_the_hypervolume_when_the_front_changes()
    {
        var trace = ComparisonAggregation.Trace(
            [
                new RunEvaluation(1, 1.0, [1, 1], CountsForHypervolume: false), // a low-budget estimate: ignored
                new RunEvaluation(3, 2.0, [5, 5], CountsForHypervolume: true), // (10-5)·(10-5) = 25
                new RunEvaluation(3, 3.0, [6, 6], CountsForHypervolume: true), // dominated
                new RunEvaluation(3, 4.0, null, CountsForHypervolume: false), // failed
                new RunEvaluation(3, 5.0, [2, 8], CountsForHypervolume: true), // adds (5-2)·(10-8) = 6
                new RunEvaluation(3, 6.0, [12, 1], CountsForHypervolume: true), // outside the reference box
            ],
            Reference);

        Assert.Equal(
            [
                new TracePoint(0, 0, 0, 0),
                new TracePoint(1, 1, 1, 0),
                new TracePoint(2, 4, 2, 25),
                new TracePoint(3, 7, 3, 25),
                new TracePoint(4, 10, 4, 25),
                new TracePoint(5, 13, 5, 31),
                new TracePoint(6, 16, 6, 31),
            ],
            trace);
    }

    [Theory]
    [InlineData(TraceAxis.Evaluations, -1, 0)]
    [InlineData(TraceAxis.Evaluations, 0.5, 0)]
    [InlineData(TraceAxis.Evaluations, 2, 25)]
    [InlineData(TraceAxis.Evaluations, 2.9, 25)]
    [InlineData(TraceAxis.Evaluations, 3, 31)]
    [InlineData(TraceAxis.Evaluations, 99, 31)] // past the run's end its final value holds
    [InlineData(TraceAxis.BudgetSpent, 3.9, 0)]
    [InlineData(TraceAxis.BudgetSpent, 4, 25)]
    [InlineData(TraceAxis.WallSeconds, 7.5, 31)]
    public void A_trace_reads_as_a_step_function_on_every_axis(TraceAxis axis, double x, double expected)
    {
        IReadOnlyList<TracePoint> trace = [new(0, 0, 0, 0), new(1, 1, 0.5, 0), new(2, 4, 2.0, 25), new(3, 7, 7.5, 31)];
        Assert.Equal(expected, ComparisonAggregation.ValueAt(trace, axis, x));
    }

    [Fact]
    public void Grids_hold_every_evaluation_count_or_evenly_spaced_points_and_always_the_end()
    {
        Assert.Equal([0.0, 1, 2, 3, 4, 5], ComparisonAggregation.Grid(5, 200, integers: true));
        Assert.Equal([0.0, 5, 10], ComparisonAggregation.Grid(10, 3, integers: true));
        Assert.Equal([0.0, 1.25, 2.5], ComparisonAggregation.Grid(2.5, 3, integers: false));
        Assert.Equal([0.0], ComparisonAggregation.Grid(0, 200, integers: false));
    }

    [Fact]
    public void A_method_that_stopped_early_keeps_only_the_grid_it_reached_and_its_end()
    {
        IReadOnlyList<double> grid = [0.0, 10, 20, 30];
        Assert.Equal([0.0, 10, 15], ComparisonAggregation.Truncate(grid, 15));
        Assert.Equal([0.0, 10, 20], ComparisonAggregation.Truncate(grid, 20));
        Assert.Equal([0.0, 10, 20, 30], ComparisonAggregation.Truncate(grid, 30));
    }

    [Fact]
    public void Mean_and_standard_error_of_the_mean()
    {
        // Sample variance of 1, 2, 3, 4 is 5/3; SEM = sqrt(5/3 / 4).
        var summary = ComparisonAggregation.Summarize([1, 2, 3, 4]);
        Assert.Equal(2.5, summary.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 12.0), summary.Sem, 12);
        Assert.Equal(4, summary.Count);

        Assert.Equal(new MeanSem(7, 0, 1), ComparisonAggregation.Summarize([7]));
        Assert.Throws<ArgumentException>(() => ComparisonAggregation.Summarize([]));
    }

    [Fact]
    public void The_first_reach_of_a_target_is_the_first_grid_point_whose_mean_gets_there()
    {
        IReadOnlyList<TracePoint> a = [new(0, 0, 0, 0), new(1, 10, 1, 2), new(2, 20, 2, 4)];
        IReadOnlyList<TracePoint> b = [new(0, 0, 0, 0), new(1, 10, 1, 0), new(2, 20, 2, 6)];
        var curve = ComparisonAggregation.Curve([a, b], TraceAxis.BudgetSpent, 3);

        Assert.Equal([0.0, 10, 20], curve.Select(p => p.X));
        Assert.Equal(10, ComparisonAggregation.FirstReach(curve, 1));
        Assert.Equal(20, ComparisonAggregation.FirstReach(curve, 5));
        Assert.Null(ComparisonAggregation.FirstReach(curve, 5.5));
    }

    [Fact]
    public void A_curve_puts_every_seed_on_one_grid_that_reaches_the_longest_run()
    {
        IReadOnlyList<TracePoint> shortRun = [new(0, 0, 0, 0), new(1, 1, 1, 2), new(2, 2, 2, 4)];
        IReadOnlyList<TracePoint> longRun = [new(0, 0, 0, 0), new(1, 1, 1, 0), new(2, 2, 2, 0), new(3, 3, 3, 6), new(4, 4, 4, 8)];
        var curve = ComparisonAggregation.Curve([shortRun, longRun], TraceAxis.Evaluations, 200);

        Assert.Equal([0.0, 1, 2, 3, 4], curve.Select(p => p.X));
        Assert.Equal([[0.0, 0], [2.0, 0], [4.0, 0], [4.0, 6], [4.0, 8]], curve.Select(p => p.PerSeed.ToArray()));
        Assert.Equal([0.0, 1, 2, 5, 6], curve.Select(p => p.Summary.Mean));

        // Two values a and b: SEM = |a - b| / 2.
        Assert.Equal([0.0, 1, 2, 1, 2], curve.Select(p => p.Summary.Sem).Select(s => Math.Round(s, 12)));
    }

    [Fact]
    public void The_union_front_drops_dominated_points_and_keeps_one_of_equal_points()
    {
        IReadOnlyList<IReadOnlyList<double>> points =
        [
            [1, 5], // seed 1
            [3, 3],
            [4, 4], // dominated by (3, 3)
            [3, 3], // seed 2: the same point again
            [5, 1],
            [2, 6], // dominated by (1, 5)
        ];
        Assert.Equal([0, 1, 4], ComparisonAggregation.UnionFront(points));
        Assert.Empty(ComparisonAggregation.UnionFront([]));
    }

    [Fact]
    public void A_run_history_orders_evaluations_by_finishing_time_and_charges_continued_trials_only_their_new_epochs()
    {
        var definition = StudyDefinitionReader.FromHocon("""
            study {
              seed = 1
              problem { type = zdt1, dimensions = 2 }
              optimizer { type = hyperband, eta = 3, min-budget = 1, max-budget = 3 }
              stop { max-evaluations = 10 }
              reference-point = [10, 10]
            }
            """);
        var created = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new NasHpo.Core.SearchSpaces.Configuration([new KeyValuePair<string, ParameterValue>("x0", ParameterValue.Of(0.5))]);
        var record = new StudyRecord("h");
        record.Apply(new StudyCreated("h", definition.Hocon, 1, [10, 10], created));

        var low = new TrialId(0, 1);
        var promoted = new TrialId(0, 3);
        var other = new TrialId(1, 3);
        var failed = new TrialId(2, 1);
        record.Apply(new TrialScheduled(new TrialRequest(low, configuration, 0, 0, null), created));
        record.Apply(new TrialScheduled(new TrialRequest(other, configuration, 1, 0, null), created));
        record.Apply(new TrialScheduled(new TrialRequest(failed, configuration, 1, 0, null), created));
        record.Apply(new TrialScheduled(new TrialRequest(promoted, configuration, 0, 1, low), created));

        // Ledger order is low, other, failed, promoted; they finished at 1 s, 4 s, 2 s and 3 s.
        var noMetrics = new Dictionary<string, double>();
        record.Apply(new TrialCompleted(low, [1, 1], noMetrics, TimeSpan.FromSeconds(1), "cpu-0", created.AddSeconds(1)));
        record.Apply(new TrialCompleted(other, [4, 6], noMetrics, TimeSpan.FromSeconds(1), "cpu-0", created.AddSeconds(4)));
        record.Apply(new TrialFailed(failed, "diverged", "cpu-0", created.AddSeconds(2)));
        record.Apply(new TrialCompleted(promoted, [5, 5], new Dictionary<string, double> { ["start-epoch"] = 1 }, TimeSpan.FromSeconds(1), "cpu-0", created.AddSeconds(3)));

        var history = RunHistory.From(record, definition);

        Assert.Equal(
            [
                new TracePoint(0, 0, 0, 0),
                new TracePoint(1, 1, 1, 0), // budget 1, below the maximum
                new TracePoint(2, 2, 2, 0), // failed at budget 1: charged 1
                new TracePoint(3, 4, 3, 25), // budget 3 continued from epoch 1: charged 2
                new TracePoint(4, 7, 4, 29), // (4, 6) adds (5-4)·(10-6) = 4
            ],
            history.Trace);
        Assert.Equal([1, 3, 4], history.Samples.Select(s => s.Evaluation));
        Assert.Equal([false, true, true], history.Samples.Select(s => s.AtMaxBudget));
        Assert.Equal(29, history.FinalHypervolume);
    }
}
