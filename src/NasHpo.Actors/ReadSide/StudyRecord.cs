using NasHpo.Actors.Archive;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;

namespace NasHpo.Actors.ReadSide;

/// <summary>One trial as the ledger tells it (a read-only view of the ledger's entry).</summary>
internal sealed class TrialRecord
{
    private readonly LedgerEntry _entry;

    internal TrialRecord(LedgerEntry entry) => _entry = entry;

    public TrialScheduled Scheduled => _entry.Scheduled;

    public TrialStarted? Started => _entry.Started;

    public TrialCompleted? Completed => _entry.Completion;

    public TrialFailed? Failed => _entry.Failure;

    public TrialId Id => Scheduled.Request.Id;

    public string Status => _entry.Status switch
    {
        LedgerStatus.Completed => "completed",
        LedgerStatus.Failed => "failed",
        LedgerStatus.Running => "running",
        _ => "pending",
    };
}

/// <summary>
/// A study folded from its journals (the study's ledger and the Pareto archive) without running it: what
/// <c>nashpo status</c>, <c>nashpo report</c> and the dashboard read. The ledger is folded by the study actor's own
/// <see cref="StudyLedger"/>, so both read the same facts the same way.
/// </summary>
public sealed class StudyRecord
{
    private readonly StudyLedger _ledger = new();
    private readonly List<TrialRecord> _order = [];
    private readonly List<EvaluationArchived> _archive = [];

    internal StudyRecord(string studyId) => StudyId = studyId;

    public string StudyId { get; }

    internal StudyCreated? Created => _ledger.Created;

    internal StudyFinished? Finished => _ledger.Finished;

    internal IReadOnlyList<TrialRecord> Trials => _order;

    internal IReadOnlyList<EvaluationArchived> Archive => _archive;

    public bool Exists => Created is not null;

    public int Completed => _ledger.Completed;

    public int FailedCount => _ledger.Failed;

    public int Running => _ledger.Running;

    public int Pending => _ledger.Pending;

    public double Hypervolume => _archive.Count > 0 ? _archive[^1].Hypervolume : 0.0;

    public string State => Created is null ? "not-found" : Finished is not null ? "finished" : "unfinished";

    internal void Apply(object e)
    {
        switch (e)
        {
            case IStudyEvent fact:
                var scheduledBefore = _ledger.Order.Count;
                _ledger.Apply(fact);
                if (_ledger.Order.Count > scheduledBefore)
                {
                    _order.Add(new TrialRecord(_ledger[_ledger.Order[^1]]));
                }

                break;
            case EvaluationArchived archived:
                _archive.Add(archived);
                break;
        }
    }

    /// <summary>
    /// The study's front, as its Pareto archive holds it (<see cref="ParetoArchive{T}"/>): the non-dominated
    /// evaluations at the study's maximum budget, of equal ones the first archived, in ledger order. The same fold as
    /// the archive actor's, so <c>status</c> and <c>report</c> show the front the running study showed.
    /// </summary>
    internal IReadOnlyList<TrialRecord> ParetoFront()
    {
        if (Created is null)
        {
            return [];
        }

        var maxBudget = StudyDefinitionReader.MaxBudgetOf(Created.Definition);
        var front = new ParetoArchive<TrialId>();
        foreach (var archived in _archive.Where(a => a.Trial.Budget >= maxBudget))
        {
            front.Admit(archived.Trial, archived.Objectives);
        }

        var members = front.Members.ToHashSet();
        return _order.Where(t => members.Contains(t.Id) && t.Completed is not null).ToList();
    }
}
