using System.Globalization;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What each running trial last reported of its progress ("trial-4-b9 on cpu-0: 3/9"), for the status line. It is
/// not journalled: a trial's progress matters only while it runs.
/// </summary>
internal sealed class TrialActivity
{
    private readonly Dictionary<TrialId, (WorkloadProgress Progress, string Device)> _progress = [];

    public int Count => _progress.Count;

    public void Report(TrialId trial, WorkloadProgress progress, string device) => _progress[trial] = (progress, device);

    public void Remove(TrialId trial) => _progress.Remove(trial);

    /// <summary>One line a running trial, ordered by device.</summary>
    public string[] Describe() =>
        _progress
            .OrderBy(p => p.Value.Device, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} on {p.Value.Device}: {p.Value.Progress.Done:G4}/{p.Value.Progress.Total:G4}{(p.Value.Progress.Note is { } note ? $" ({note})" : string.Empty)}"))
            .ToArray();
}

/// <summary>
/// Builds what <c>nashpo status</c> and the live display show of a study from the study's ledger, its archive's last
/// report and its running trials' progress: the status is read from the state the study keeps, never kept itself.
/// </summary>
internal sealed class StudyStatusView(string studyId, StudyLedger ledger, ArchiveSync archive, TrialActivity activity)
{
    /// <summary>The study's status at <paramref name="now"/>; <paramref name="recovering"/> tells a study that is reading its journal from one that has none.</summary>
    public StudyStatus Of(bool recovering, bool stopped, double budgetSpent, double? maxBudgetSpent, DateTimeOffset now)
    {
        var created = ledger.Created;
        var finished = ledger.Finished;
        var state = created is null
            ? (recovering ? StudyState.Recovering : StudyState.NotFound)
            : finished is not null ? StudyState.Finished : stopped ? StudyState.Stopped : StudyState.Running;
        var running = ledger.Running;
        var pending = ledger.InFlight.Count - running;
        var latest = ledger.Latest;
        var elapsed = created is null ? TimeSpan.Zero : (finished?.FinishedAt ?? now) - created.CreatedAt;
        return new StudyStatus(studyId, state, ledger.Completed, ledger.Failed, running, pending, archive.Hypervolume, archive.ParetoSize, latest?.Bracket, latest?.Rung, elapsed, finished?.Reason, ledger.LastFailure, activity.Describe())
        {
            BudgetSpent = budgetSpent,
            MaxBudgetSpent = maxBudgetSpent,
        };
    }
}
