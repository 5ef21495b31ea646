using NasHpo.Actors.Trials;
using NasHpo.Core.Objectives;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// Turns what a bracket reports of a finished trial into the one fact the ledger records: a completion with the
/// objective values in their recorded form, or a failure with its reason. A result the study cannot use (the wrong
/// number of objectives, a value that is not finite, or not positive on a log scale) becomes a failure that says why,
/// rather than poison the front.
/// </summary>
internal static class TrialOutcome
{
    /// <summary>The ledger fact for a finished trial; <paramref name="checkpoint"/> names its final training state, if it left one.</summary>
    public static IStudyEvent Record(IReadOnlyList<Objective> objectives, TrialFinished finished, string? checkpoint, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(finished);
        var failure = finished.FailureReason ?? Refusal(objectives, finished.Result);
        return failure is null
            ? new TrialCompleted(
                finished.Trial,
                objectives.Select((objective, i) => objective.ToRecorded(finished.Result!.Objectives[i])).ToArray(),
                finished.Result!.Metrics,
                finished.Duration,
                finished.DeviceName,
                now,
                checkpoint) { Curve = finished.Result.Curve }
            : new TrialFailed(finished.Trial, failure, finished.DeviceName, now);
    }

    /// <summary>Why the study cannot use a workload's result, or null when it can.</summary>
    public static string? Refusal(IReadOnlyList<Objective> objectives, WorkloadResult? result)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        if (result is null || result.Objectives.Count != objectives.Count)
        {
            return $"the workload returned {result?.Objectives.Count ?? 0} objective values, the study has {objectives.Count}";
        }

        // Not finite, or not positive on a log scale: the trial fails with the reason rather than poison the front.
        return objectives.Select((objective, i) => objective.Refusal(result.Objectives[i])).FirstOrDefault(reason => reason is not null);
    }
}
