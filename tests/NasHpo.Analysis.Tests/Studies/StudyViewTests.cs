using NasHpo.Actors.Archive;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Analysis.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;

namespace NasHpo.Analysis.Tests.Studies;

/// <summary>The study views the dashboard and the report draw, from a record folded by hand.</summary>
public sealed class StudyViewTests
{
    private const string Definition = """
        study {
          name = view
          seed = 1
          devices = 2
          problem { type = zdt1, dimensions = 2 }
          optimizer { type = hyperband, eta = 3, min-budget = 1, max-budget = 3 }
          stop { max-evaluations = 10 }
        }
        """;

    private static readonly DateTimeOffset Origin = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_table_filters_sorts_and_pages_on_the_server_as_the_query_says()
    {
        var view = new StudyView(Record());

        Assert.Equal(5, view.Query(new TrialQuery()).Total);
        Assert.Equal(3, view.Query(new TrialQuery { Budget = 1 }).Total);
        Assert.Equal(["trial-3-b1"], view.Query(new TrialQuery { Status = "failed" }).Rows.Select(r => r.Id));
        var low = view.Query(new TrialQuery { Ranges = [new RangeFilter("x0", null, 0.25)] });
        Assert.Equal(["trial-1-b1", "trial-1-b3"], low.Rows.Select(r => r.Id));
        var byF2 = view.Query(new TrialQuery { Status = "completed", SortBy = "f2", Descending = true, Offset = 1, Limit = 2 });
        Assert.Equal(4, byF2.Total);
        Assert.Equal(2, byF2.Rows.Count);
        Assert.True(byF2.Rows[0].Objectives![1] >= byF2.Rows[1].Objectives![1]);
    }

    [Fact]
    public void A_trial_page_has_its_curve_and_the_trials_it_continued_from()
    {
        var view = new StudyView(Record());

        var detail = view.Detail("trial-1-b3")!;

        Assert.Equal(["trial-1-b1", "trial-1-b3"], detail.Chain.Select(r => r.Id));
        Assert.Equal([1.0, 2.0, 3.0], detail.Curve.Select(p => p.Step));
        Assert.Null(view.Detail("trial-9-b1"));
    }

    [Fact]
    public void Promotions_say_which_configuration_reached_the_top_and_which_stopped()
    {
        var view = new StudyView(Record());

        var promotions = view.Promotions(0);

        Assert.Contains("hypervolume-gain", promotions.Rule, StringComparison.Ordinal);
        var paths = promotions.Paths.ToDictionary(p => p.ConfigurationId);
        Assert.Equal([1.0, 3.0], paths[1].Budgets);
        Assert.Equal("reached the maximum budget", paths[1].Outcome);
        Assert.Equal("stopped at budget 1", paths[2].Outcome);
        Assert.Equal("failed at budget 1", paths[3].Outcome);
    }

    [Fact]
    public void The_overview_overlays_each_budgets_front_and_the_study_front_is_the_archives()
    {
        var record = Record();
        var view = new StudyView(record);

        var overview = view.Overview();

        Assert.Equal([1.0, 3.0], overview.Budgets);
        var atOne = overview.PointsByBudget.Single(b => b.Budget == 1);
        Assert.Equal(2, atOne.Evaluated);

        // (0.2, 0.9) and (0.5, 0.4) at budget 1: neither dominates the other.
        Assert.All(atOne.NonDominated, Assert.True);
        Assert.Equal(record.ParetoFront().Count, overview.Front.Count);
        Assert.Equal(4, overview.Summary.Completed);
        Assert.Equal(1, overview.Summary.Failed);
        Assert.Equal(2, overview.Devices.Count);
        Assert.Equal(4, overview.Hypervolume.Evaluations.Count);
    }

    [Fact]
    public void A_later_view_reuses_the_rows_of_trials_that_did_not_change_and_makes_the_others_again()
    {
        var record = Record();
        var first = new StudyView(record, 1);
        var id = new TrialId(5, 1);
        record.Apply(new TrialScheduled(new TrialRequest(id, Configuration(0.7), 1, 0, null), Origin.AddSeconds(9)));
        record.Apply(new TrialStarted(id, "cpu-0", Origin.AddSeconds(9)));

        var second = new StudyView(record, 2, first);

        Assert.Same(first.Rows[0], second.Rows[0]);
        Assert.Equal("running", second.Rows[^1].Status);
        record.Apply(new TrialCompleted(id, [0.7, 0.1], new Dictionary<string, double>(), TimeSpan.FromSeconds(1), "cpu-0", Origin.AddSeconds(10)));
        var third = new StudyView(record, 3, second);
        Assert.Same(second.Rows[0], third.Rows[0]);
        Assert.Equal("completed", third.Rows[^1].Status);
        Assert.Equal(third.Rows[^1].Index, third.Query(new TrialQuery { Status = "completed", Ranges = [new RangeFilter("x0", 0.6, 0.8)] }).Rows.Single().Index);
    }

    [Fact]
    public void A_view_updated_trial_by_trial_has_the_overview_a_view_made_from_scratch_has()
    {
        var record = Record();
        var updated = new StudyView(record, 1);
        var version = 1L;
        var at = 20;

        // Each fact, then the view updated from the one before against a view folded afresh: new trials, trials that
        // start, complete out of order (the later one first), fail, and their archived evaluations.
        void Step(object fact)
        {
            record.Apply(fact);
            updated = new StudyView(record, ++version, updated);
            Assert.Equal(Json(new StudyView(record, version).Overview()), Json(updated.Overview()));
        }

        TrialId[] ids = [new(5, 1), new(6, 1), new(5, 3), new(7, 3)];
        foreach (var (id, x0) in ids.Zip([0.1, 0.6, 0.1, 0.8]))
        {
            Step(new TrialScheduled(new TrialRequest(id, Configuration(x0), 2, id.Budget > 1 ? 1 : 0, null), Origin.AddSeconds(at++)));
            Step(new TrialStarted(id, $"cpu-{id.ConfigurationId % 2}", Origin.AddSeconds(at++)));
        }

        void Complete(TrialId id, double[] objectives)
        {
            Step(new TrialCompleted(id, objectives, new Dictionary<string, double>(), TimeSpan.FromSeconds(2), $"cpu-{id.ConfigurationId % 2}", Origin.AddSeconds(at++)));
            Step(new EvaluationArchived(id, objectives, TimeSpan.FromSeconds(at), at));
        }

        Complete(ids[1], [0.6, 0.3]);
        Complete(ids[0], [0.1, 0.95]);
        Step(new TrialFailed(ids[3], "diverged", "cpu-1", Origin.AddSeconds(at++)));
        Complete(ids[2], [0.1, 0.2]);
        Step(new StudyFinished("max-evaluations", Origin.AddSeconds(at)));

        // The trial that dominates every other one at budget 3 made it the study's front of one.
        Assert.Equal([updated.Rows.Single(r => r.Id == ids[2].ToString()).Index], updated.Overview().Front);

        // Two views made from the same view: the second cannot update the first's state, and folds afresh.
        var forked = new StudyView(record, version, updated);
        var other = new StudyView(record, version, updated);
        Assert.Equal(Json(forked.Overview()), Json(other.Overview()));
    }

    private static string Json(StudyOverview overview) => System.Text.Json.JsonSerializer.Serialize(overview);

    private static Core.SearchSpaces.Configuration Configuration(double x0) =>
        new([KeyValuePair.Create("x0", ParameterValue.Of(x0)), KeyValuePair.Create("x1", ParameterValue.Of(0.5))]);

    /// <summary>Configurations 1 and 2 at budget 1, 1 promoted to 3, 3 failed at 1, 4 started at 3 from scratch.</summary>
    private static StudyRecord Record()
    {
        var record = new StudyRecord("view");
        record.Apply(new StudyCreated("view", Definition, 1, [1.1, 11], Origin));
        var at = 0;
        void Run(long configuration, double budget, double x0, TrialId? parent, double[]? objectives, int rung)
        {
            var id = new TrialId(configuration, budget);
            record.Apply(new TrialScheduled(new TrialRequest(id, Configuration(x0), 0, rung, parent), Origin.AddSeconds(at++)));
            record.Apply(new TrialStarted(id, $"cpu-{configuration % 2}", Origin.AddSeconds(at++)));
            if (objectives is null)
            {
                record.Apply(new TrialFailed(id, "diverged", $"cpu-{configuration % 2}", Origin.AddSeconds(at++)));
                return;
            }

            var curve = Enumerable.Range(1, (int)budget).Select(step => new CurvePoint(step, new Dictionary<string, double> { ["f1"] = objectives[0] })).ToArray();
            record.Apply(new TrialCompleted(id, objectives, new Dictionary<string, double>(), TimeSpan.FromSeconds(1), $"cpu-{configuration % 2}", Origin.AddSeconds(at++)) { Curve = curve });
            record.Apply(new EvaluationArchived(id, objectives, TimeSpan.FromSeconds(at), at));
        }

        Run(1, 1, 0.2, null, [0.2, 0.9], 0);
        Run(2, 1, 0.5, null, [0.5, 0.4], 0);
        Run(3, 1, 0.9, null, null, 0);
        Run(1, 3, 0.2, new TrialId(1, 1), [0.2, 0.8], 1);
        Run(4, 3, 0.3, null, [0.3, 0.5], 1);
        return record;
    }
}
