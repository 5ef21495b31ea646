using NasHpo.Actors.Archive;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Tests.Engine;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using static NasHpo.Actors.Tests.StudyBookkeeping.StudyLedgerTests;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class StudyBudgetAndStatusTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void The_budget_counts_finished_trials_and_what_is_left_discounts_the_trials_in_flight()
    {
        var definition = TestEngine.Study("problem { type = zdt1, dimensions = 4 }\noptimizer { type = hyperband, min-budget = 1, max-budget = 9 }\nstop { max-budget-spent = 100 }");
        var a = Request(1, 9);
        var b = Request(2, 3);
        var c = Request(3, 1);
        var ledger = LedgerOf(new TrialScheduled(a, At), new TrialScheduled(b, At), new TrialScheduled(c, At), Completed(a.Id, 1, 1), Failed(b.Id));
        var budget = new StudyBudget(definition);
        Assert.Equal(0, budget.Spent);

        budget.Recount(ledger);
        Assert.Equal(12, budget.Spent);
        Assert.Equal(100 - 12 - 1, budget.Left(ledger));

        ledger.Apply(Completed(c.Id, 2, 2));
        budget.Charge(ledger[c.Id]);
        Assert.Equal(13, budget.Spent);
        Assert.Equal(100 - 13, budget.Left(ledger));
    }

    [Fact]
    public void Without_a_budget_limit_nothing_is_left_to_count()
    {
        var definition = TestEngine.Study("problem { type = zdt1, dimensions = 4 }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 5 }");
        Assert.Null(new StudyBudget(definition).Left(new StudyLedger()));
    }

    [Fact]
    public void A_study_without_a_journal_is_recovering_while_it_reads_and_not_found_after()
    {
        var view = new StudyStatusView("s", new StudyLedger(), new ArchiveSync(), new TrialActivity());

        Assert.Equal(StudyState.Recovering, view.Of(recovering: true, stopped: false, 0, null, At).State);
        var status = view.Of(recovering: false, stopped: false, 0, null, At);
        Assert.Equal(StudyState.NotFound, status.State);
        Assert.Equal(TimeSpan.Zero, status.Elapsed);
        Assert.Null(status.Bracket);
        Assert.Empty(status.Activity);
    }

    [Fact]
    public void The_status_reads_the_ledger_the_archive_and_the_running_trials()
    {
        var a = Request(1, 1, bracket: 0);
        var b = Request(2, 1, bracket: 0);
        var c = Request(3, 3, bracket: 2) with { Rung = 1 };
        var d = Request(4, 1, bracket: 0);
        var ledger = LedgerOf(
            new StudyCreated("s", "study {}", 1, [1, 1], At),
            new TrialScheduled(a, At),
            new TrialScheduled(b, At),
            new TrialScheduled(d, At),
            new TrialScheduled(c, At),
            new TrialStarted(b.Id, "cpu-1", At),
            new TrialStarted(c.Id, "cpu-0", At),
            Completed(a.Id, 1, 1),
            Failed(d.Id, "diverged"));
        var archive = new ArchiveSync();
        archive.Sending(1);
        archive.Update(new ArchiveUpdated(1, 0.5, 1));
        var activity = new TrialActivity();
        activity.Report(b.Id, new WorkloadProgress(3, 9), "cpu-1");
        activity.Report(c.Id, new WorkloadProgress(1.5, 3, "warming up"), "cpu-0");
        var view = new StudyStatusView("s", ledger, archive, activity);

        var status = view.Of(recovering: false, stopped: false, 4, 10, At.AddSeconds(90));

        Assert.Equal(StudyState.Running, status.State);
        Assert.Equal((1, 1, 2, 0), (status.Completed, status.Failed, status.Running, status.Pending));
        Assert.Equal((0.5, 1), (status.Hypervolume, status.ParetoSize));
        Assert.Equal((2L, 1), (status.Bracket!.Value, status.Rung!.Value));
        Assert.Equal(TimeSpan.FromSeconds(90), status.Elapsed);
        Assert.Equal($"{d.Id}: diverged", status.LastFailure);
        Assert.Equal([$"{c.Id} on cpu-0: 1.5/3 (warming up)", $"{b.Id} on cpu-1: 3/9"], status.Activity);
        Assert.Equal((4.0, 10.0), (status.BudgetSpent, status.MaxBudgetSpent!.Value));
        Assert.Equal(StudyState.Stopped, view.Of(false, stopped: true, 4, 10, At).State);

        activity.Remove(b.Id);
        ledger.Apply(new StudyFinished("cancelled", At.AddSeconds(30)));
        var finished = view.Of(false, stopped: true, 4, 10, At.AddSeconds(90));
        Assert.Equal(StudyState.Finished, finished.State);
        Assert.Equal(TimeSpan.FromSeconds(30), finished.Elapsed);
        Assert.Equal("cancelled", finished.FinishReason);
        Assert.Single(finished.Activity);
    }
}
