using NasHpo.Actors.Studies;
using NasHpo.Actors.Trials;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class TrialOutcomeTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TrialId Trial = new(4, 9);

    private static readonly Objective[] Objectives =
    [
        new("error"),
        new("accuracy", ObjectiveDirection.Maximize),
        new("size", Scale: ObjectiveScale.Log),
    ];

    [Fact]
    public void A_usable_result_is_recorded_as_measured_with_a_maximised_objective_negated()
    {
        var result = new WorkloadResult([0.25, 0.9, 1000], new Dictionary<string, double> { ["test-error"] = 0.3 })
        {
            Curve = [new CurvePoint(1, new Dictionary<string, double> { ["loss"] = 0.5 })],
        };
        var finished = new TrialFinished(Trial, result, null, TimeSpan.FromSeconds(3), "cuda-0");

        var completed = Assert.IsType<TrialCompleted>(TrialOutcome.Record(Objectives, finished, "trial-4-b9.pt", At));

        Assert.Equal(Trial, completed.Trial);
        Assert.Equal([0.25, -0.9, 1000], completed.Objectives);
        Assert.Same(result.Metrics, completed.Metrics);
        Assert.Same(result.Curve, completed.Curve);
        Assert.Equal(TimeSpan.FromSeconds(3), completed.Duration);
        Assert.Equal("cuda-0", completed.Device);
        Assert.Equal(At, completed.CompletedAt);
        Assert.Equal("trial-4-b9.pt", completed.Checkpoint);
    }

    [Fact]
    public void A_trial_the_device_reports_as_failed_fails_with_its_reason()
    {
        var finished = new TrialFinished(Trial, null, "out of memory", TimeSpan.FromSeconds(3), "cuda-0");

        var failed = Assert.IsType<TrialFailed>(TrialOutcome.Record(Objectives, finished, null, At));

        Assert.Equal(new TrialFailed(Trial, "out of memory", "cuda-0", At), failed);
    }

    [Theory]
    [InlineData(new[] { 0.25, 0.9 }, "the workload returned 2 objective values, the study has 3")]
    [InlineData(new[] { double.NaN, 0.9, 1.0 }, "objective error is NaN")]
    [InlineData(new[] { 0.25, 0.9, 0.0 }, "objective size is 0, but it is declared on a log scale (scale = log), which needs a positive value")]
    public void A_result_the_study_cannot_use_fails_the_trial_with_the_reason(double[] objectives, string reason)
    {
        var finished = new TrialFinished(Trial, WorkloadResult.Of(objectives), null, TimeSpan.FromSeconds(3), "cpu-1");

        var failed = Assert.IsType<TrialFailed>(TrialOutcome.Record(Objectives, finished, null, At));

        Assert.Equal(reason, failed.Reason);
        Assert.Equal("cpu-1", failed.Device);
    }

    [Fact]
    public void A_missing_result_counts_as_no_objective_values() =>
        Assert.Equal("the workload returned 0 objective values, the study has 3", TrialOutcome.Refusal(Objectives, null));
}
