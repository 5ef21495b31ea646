namespace NasHpo.Actors.Studies;

/// <summary>Asks a study (or, through the manager, a study by id) for its status.</summary>
internal sealed record GetStudyStatus(string StudyId);

/// <summary>
/// Subscribes the sender to a study's status (directly, or through the manager by id): it gets the status at once,
/// then whenever it changes (at most every <see cref="EngineSettings.StatusInterval"/>) and when the study finishes.
/// A study that restarts forgets its watchers, so a watcher that hears nothing for a while sends this again; a
/// repeated subscription is harmless. A study the manager does not run answers with <see cref="StudyState.NotFound"/>.
/// </summary>
internal sealed record WatchStudy(string StudyId);

/// <summary>Stops a running study gracefully: running trials are cancelled and stay in the ledger, to run again on resume.</summary>
internal sealed record StopStudy(string StudyId);

/// <summary>The study has stopped its trials and may be shut down.</summary>
internal sealed record StudyStopped(string StudyId);

/// <summary>Lifecycle of a study as the engine sees it.</summary>
public enum StudyState
{
    Recovering,
    Running,
    Finished,
    Stopped,
    NotFound,
}

/// <summary>
/// A study's progress; what <c>nashpo status</c> and the live display show. <paramref name="Activity"/> says what
/// each running trial is doing ("trial-4-b9 on cpu-0: 3/9").
/// </summary>
public sealed record StudyStatus(
    string StudyId,
    StudyState State,
    int Completed,
    int Failed,
    int Running,
    int Pending,
    double Hypervolume,
    int ParetoSize,
    long? Bracket,
    int? Rung,
    TimeSpan Elapsed,
    string? FinishReason,
    string? LastFailure,
    IReadOnlyList<string> Activity)
{
    public int Evaluations => Completed + Failed;

    /// <summary>What the finished trials cost, in the study's budget unit (see <see cref="BudgetCharge"/>).</summary>
    public double BudgetSpent { get; init; }

    /// <summary>The study's <c>stop.max-budget-spent</c>, if it has one.</summary>
    public double? MaxBudgetSpent { get; init; }
}
