using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>Facts of the study journal ("study-{id}"). The StudyActor alone writes them: it owns the trial ledger.</summary>
internal interface IStudyEvent;

/// <summary>The study exists, with its resolved definition (HOCON text), seed and fixed reference point (recorded form, as the objectives' values).</summary>
internal sealed record StudyCreated(string StudyId, string Definition, long Seed, IReadOnlyList<double> ReferencePoint, DateTimeOffset CreatedAt) : IStudyEvent;

/// <summary>A trial entered the ledger; from now on it runs until it completes or fails, across restarts.</summary>
internal sealed record TrialScheduled(TrialRequest Request, DateTimeOffset ScheduledAt) : IStudyEvent;

/// <summary>A trial got a device and started running.</summary>
internal sealed record TrialStarted(TrialId Trial, string Device, DateTimeOffset StartedAt) : IStudyEvent;

/// <summary>
/// A trial finished with objective values as measured, a maximised one negated (the recorded form of
/// <see cref="NasHpo.Core.Objectives.Objective"/>: never log-scaled, so the journal keeps what was measured whatever
/// scale the study declares), plus recorded metrics that are not optimised
/// (for example test error), on a device of a node. <paramref name="Checkpoint"/> names the file of its final
/// training state in the study's checkpoint directory, when it left one.
/// </summary>
internal sealed record TrialCompleted(
    TrialId Trial,
    IReadOnlyList<double> Objectives,
    IReadOnlyDictionary<string, double> Metrics,
    TimeSpan Duration,
    string Device,
    DateTimeOffset CompletedAt,
    string? Checkpoint = null) : IStudyEvent
{
    /// <summary>The trial's intermediate reports in order (its learning curve); empty when its workload reports none.</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];
}

/// <summary>A trial failed for good (the workload threw, diverged or returned non-finite objectives).</summary>
internal sealed record TrialFailed(TrialId Trial, string Reason, string Device, DateTimeOffset FailedAt) : IStudyEvent;

/// <summary>The study reached a stop criterion (or its optimizer has nothing more to propose).</summary>
internal sealed record StudyFinished(string Reason, DateTimeOffset FinishedAt) : IStudyEvent;
