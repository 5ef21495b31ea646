using NasHpo.Actors.Archive;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Studies;

/// <summary>
/// A study's trial ledger as its journal has it: the study's creation and end, and every trial scheduled, in order,
/// with how it ended. The study actor changes it only through <see cref="Apply"/>, on recovery and after each write,
/// so the ledger is always what the journal holds; the read side (<see cref="ReadSide.StudyRecord"/>) folds the
/// journal with the same class, so a study read back is the study that ran: one fold of the ledger, not two. It lives
/// apart from the actor so that this rule, and the idempotence that recovery relies on (a trial scheduled or finished
/// twice, a result that arrived twice, changes nothing the second time), sit in one place and can be tested without
/// an actor system.
/// </summary>
internal sealed class StudyLedger
{
    private readonly Dictionary<TrialId, LedgerEntry> _entries = [];
    private readonly List<TrialId> _order = [];

    // Scheduled and not yet finished, kept alongside the ledger so that asking for trials does not scan it.
    private readonly HashSet<TrialId> _inFlight = [];

    public StudyCreated? Created { get; private set; }

    public StudyFinished? Finished { get; private set; }

    public int Completed { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Trials finished either way: what <c>stop.max-evaluations</c> counts.</summary>
    public int Evaluations => Completed + Failed;

    /// <summary>"{trial}: {reason}" of the last failure, for the status line.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Every trial, in the order it was scheduled.</summary>
    public IReadOnlyList<TrialId> Order => _order;

    /// <summary>Scheduled and not yet finished (including those running).</summary>
    public IReadOnlySet<TrialId> InFlight => _inFlight;

    /// <summary>The trials in flight that a device has started.</summary>
    public int Running => _inFlight.Count(id => _entries[id].Status == LedgerStatus.Running);

    /// <summary>The trials in flight that no device has started yet.</summary>
    public int Pending => _inFlight.Count - Running;

    /// <summary>The trial scheduled last, if any: its bracket and rung tell how far the optimizer has got.</summary>
    public TrialRequest? Latest => _order.Count > 0 ? _entries[_order[^1]].Request : null;

    /// <summary>The requests of the trials in flight.</summary>
    public IEnumerable<TrialRequest> InFlightRequests => _inFlight.Select(id => _entries[id].Request);

    /// <summary>The finished trials, in the order they were scheduled.</summary>
    public IEnumerable<LedgerEntry> FinishedEntries => _order.Select(id => _entries[id]).Where(e => e.IsFinished);

    /// <summary>The trials scheduled and never finished, in order: those a recovered study dispatches again.</summary>
    public IEnumerable<TrialRequest> Unfinished => _order.Select(id => _entries[id]).Where(e => !e.IsFinished).Select(e => e.Request);

    /// <summary>Applies one fact of the journal; a fact about a trial that is unknown, or already finished, changes nothing.</summary>
    public void Apply(IStudyEvent e)
    {
        switch (e)
        {
            case StudyCreated created:
                Created = created;
                break;
            case TrialScheduled scheduled when !_entries.ContainsKey(scheduled.Request.Id):
                _entries[scheduled.Request.Id] = new LedgerEntry(scheduled);
                _order.Add(scheduled.Request.Id);
                _inFlight.Add(scheduled.Request.Id);
                break;
            case TrialStarted started when _entries.TryGetValue(started.Trial, out var entry) && !entry.IsFinished:
                entry.Status = LedgerStatus.Running;
                entry.Started ??= started;
                break;
            case TrialCompleted completed when _entries.TryGetValue(completed.Trial, out var entry) && !entry.IsFinished:
                entry.Status = LedgerStatus.Completed;
                entry.Completion = completed;
                Completed++;
                _inFlight.Remove(completed.Trial);
                break;
            case TrialFailed failed when _entries.TryGetValue(failed.Trial, out var entry) && !entry.IsFinished:
                entry.Status = LedgerStatus.Failed;
                entry.Failure = failed;
                Failed++;
                _inFlight.Remove(failed.Trial);
                LastFailure = $"{failed.Trial}: {failed.Reason}";
                break;
            case StudyFinished finished:
                Finished = finished;
                break;
        }
    }

    public bool Contains(TrialId trial) => _entries.ContainsKey(trial);

    /// <summary>The trial is in the ledger and has not finished.</summary>
    public bool IsUnfinished(TrialId trial) => _entries.TryGetValue(trial, out var entry) && !entry.IsFinished;

    /// <summary>The trial is in the ledger and no device has been recorded as starting it.</summary>
    public bool IsWaitingToStart(TrialId trial) => _entries.TryGetValue(trial, out var entry) && entry.Status == LedgerStatus.Scheduled;

    /// <summary>The entry of a trial the ledger holds (throws for one it does not).</summary>
    public LedgerEntry this[TrialId trial] => _entries[trial];

    /// <summary>Every finished trial's outcome in order, as the sampler observes them.</summary>
    public List<TrialResult> FinishedResults() =>
        FinishedEntries
            .Select(e => e.Completion is { } c ? TrialResult.Completed(c.Trial, c.Objectives) : TrialResult.Failure(e.Failure!.Trial, e.Failure.Reason))
            .ToList();

    /// <summary>Every completed trial's objectives in order, as the Pareto archive takes them.</summary>
    public Evaluation[] CompletedEvaluations() =>
        Completions().Select(c => new Evaluation(c.Trial, c.Objectives)).ToArray();

    /// <summary>Every completed trial with its objectives, in order: what decides which checkpoints the final front keeps.</summary>
    public List<(TrialId Trial, IReadOnlyList<double> Objectives)> CompletedObjectives() =>
        Completions().Select(c => (c.Trial, c.Objectives)).ToList();

    /// <summary>The trials of one bracket, in order.</summary>
    public IEnumerable<TrialId> TrialsOfBracket(long bracket) => _order.Where(id => _entries[id].Request.Bracket == bracket);

    private IEnumerable<TrialCompleted> Completions() => _order.Select(id => _entries[id].Completion).OfType<TrialCompleted>();
}

/// <summary>Where a trial of the ledger stands.</summary>
internal enum LedgerStatus
{
    Scheduled,
    Running,
    Completed,
    Failed,
}

/// <summary>One trial of the ledger: its request, when it started and, once it has finished, how. Only <see cref="StudyLedger"/> changes it.</summary>
internal sealed class LedgerEntry(TrialScheduled scheduled)
{
    public TrialScheduled Scheduled { get; } = scheduled;

    public TrialRequest Request => Scheduled.Request;

    /// <summary>The first start a device recorded (a trial dispatched again after a restart keeps its first).</summary>
    public TrialStarted? Started { get; set; }

    public LedgerStatus Status { get; set; } = LedgerStatus.Scheduled;

    public TrialCompleted? Completion { get; set; }

    public TrialFailed? Failure { get; set; }

    public bool IsFinished => Status is LedgerStatus.Completed or LedgerStatus.Failed;
}
