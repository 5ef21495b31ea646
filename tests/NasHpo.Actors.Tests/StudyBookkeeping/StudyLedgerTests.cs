using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class StudyLedgerTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    internal static TrialRequest Request(long configuration, double budget, long bracket = 0, TrialId? parent = null) =>
        new(new TrialId(configuration, budget), new SearchConfiguration([]), bracket, 0, parent);

    internal static TrialCompleted Completed(TrialId trial, params double[] objectives) =>
        new(trial, objectives, new Dictionary<string, double>(), TimeSpan.FromSeconds(1), "cpu-0", At);

    internal static TrialFailed Failed(TrialId trial, string reason = "diverged") => new(trial, reason, "cpu-0", At);

    internal static StudyLedger LedgerOf(params IStudyEvent[] events)
    {
        var ledger = new StudyLedger();
        foreach (var e in events)
        {
            ledger.Apply(e);
        }

        return ledger;
    }

    [Fact]
    public void Scheduled_trials_are_in_flight_in_order_until_they_finish_either_way()
    {
        var a = Request(1, 1);
        var b = Request(2, 1);
        var c = Request(3, 1);
        var ledger = LedgerOf(
            new TrialScheduled(a, At),
            new TrialScheduled(b, At),
            new TrialScheduled(c, At),
            new TrialStarted(b.Id, "cpu-0", At),
            Completed(a.Id, 0.5, 2),
            Failed(c.Id, "loss is NaN"));

        Assert.Equal([a.Id, b.Id, c.Id], ledger.Order);
        Assert.Equal([b.Id], ledger.InFlight);
        Assert.Equal(1, ledger.Running);
        Assert.Equal(1, ledger.Completed);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal(2, ledger.Evaluations);
        Assert.Equal($"{c.Id}: loss is NaN", ledger.LastFailure);
        Assert.Same(c, ledger.Latest);
        Assert.Equal([b], ledger.Unfinished);
        Assert.Equal([a.Id, c.Id], ledger.FinishedEntries.Select(e => e.Request.Id));
        Assert.True(ledger.IsUnfinished(b.Id));
        Assert.False(ledger.IsUnfinished(a.Id));
        Assert.False(ledger.IsWaitingToStart(b.Id));
    }

    [Fact]
    public void A_fact_applied_twice_or_about_a_finished_or_unknown_trial_changes_nothing()
    {
        var a = Request(1, 1);
        var ledger = LedgerOf(
            new TrialScheduled(a, At),
            new TrialScheduled(a with { Rung = 3 }, At),
            Completed(a.Id, 0.5, 2),
            Completed(a.Id, 9, 9),
            Failed(a.Id),
            new TrialStarted(a.Id, "cpu-1", At),
            Completed(new TrialId(99, 1), 1, 1),
            Failed(new TrialId(98, 1)));

        Assert.Equal([a.Id], ledger.Order);
        Assert.Equal(0, ledger[a.Id].Request.Rung);
        Assert.Equal(1, ledger.Completed);
        Assert.Equal(0, ledger.Failed);
        Assert.Null(ledger.LastFailure);
        Assert.Equal(LedgerStatus.Completed, ledger[a.Id].Status);
        Assert.Equal([0.5, 2], ledger[a.Id].Completion!.Objectives);
        Assert.Empty(ledger.InFlight);
        Assert.False(ledger.Contains(new TrialId(99, 1)));
    }

    [Fact]
    public void A_trial_waits_to_start_until_a_device_is_recorded_as_starting_it()
    {
        var a = Request(1, 1);
        var ledger = LedgerOf(new TrialScheduled(a, At));
        Assert.True(ledger.IsWaitingToStart(a.Id));
        Assert.False(ledger.IsWaitingToStart(new TrialId(2, 1)));

        ledger.Apply(new TrialStarted(a.Id, "cpu-0", At));
        Assert.False(ledger.IsWaitingToStart(a.Id));
        Assert.Equal(1, ledger.Running);
    }

    [Fact]
    public void Outcomes_are_given_in_schedule_order_to_the_sampler_the_archive_and_the_checkpoint_clean_up()
    {
        var a = Request(1, 1);
        var b = Request(2, 1);
        var c = Request(3, 3, bracket: 1, parent: new TrialId(1, 1));
        var ledger = LedgerOf(
            new TrialScheduled(a, At),
            new TrialScheduled(b, At),
            new TrialScheduled(c, At),
            Completed(c.Id, 0.1, 1),
            Failed(b.Id, "out of memory"),
            Completed(a.Id, 0.2, 2));

        Assert.Equal(
            [TrialResult.Completed(a.Id, [0.2, 2]), TrialResult.Failure(b.Id, "out of memory"), TrialResult.Completed(c.Id, [0.1, 1])],
            ledger.FinishedResults(),
            ResultComparer.Instance);
        Assert.Equal([a.Id, c.Id], ledger.CompletedEvaluations().Select(e => e.Trial));
        Assert.Equal([a.Id, c.Id], ledger.CompletedObjectives().Select(e => e.Trial));
        Assert.Equal([0.1, 1], ledger.CompletedObjectives()[1].Objectives);
        Assert.Equal([a.Id, b.Id], ledger.TrialsOfBracket(0));
        Assert.Equal([c.Id], ledger.TrialsOfBracket(1));
    }

    [Fact]
    public void The_study_is_created_and_finished_by_its_own_facts()
    {
        var ledger = new StudyLedger();
        Assert.Null(ledger.Created);
        Assert.Null(ledger.Latest);

        var created = new StudyCreated("s", "study {}", 1, [1, 1], At);
        ledger.Apply(created);
        ledger.Apply(new StudyFinished("max-evaluations", At.AddMinutes(1)));

        Assert.Same(created, ledger.Created);
        Assert.Equal("max-evaluations", ledger.Finished!.Reason);
    }

    private sealed class ResultComparer : IEqualityComparer<TrialResult>
    {
        public static readonly ResultComparer Instance = new();

        public bool Equals(TrialResult? x, TrialResult? y) =>
            x is not null && y is not null && x.Id == y.Id && x.FailureReason == y.FailureReason
            && (x.Objectives ?? []).SequenceEqual(y.Objectives ?? []);

        public int GetHashCode(TrialResult obj) => obj.Id.GetHashCode();
    }
}
