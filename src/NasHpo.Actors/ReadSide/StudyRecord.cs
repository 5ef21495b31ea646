using NasHpo.Actors.Archive;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;

namespace NasHpo.Actors.ReadSide;

/// <summary>One trial as the ledger tells it.</summary>
public sealed class TrialRecord(TrialScheduled scheduled)
{
    public TrialScheduled Scheduled { get; } = scheduled;

    public TrialStarted? Started { get; internal set; }

    public TrialCompleted? Completed { get; internal set; }

    public TrialFailed? Failed { get; internal set; }

    public TrialId Id => Scheduled.Request.Id;

    public string Status => Completed is not null ? "completed" : Failed is not null ? "failed" : Started is not null ? "running" : "pending";
}

/// <summary>
/// A study folded from its journals (the study's ledger and the Pareto archive) without running it: what
/// <c>nashpo status</c> and <c>nashpo report</c> read.
/// </summary>
public sealed class StudyRecord
{
    private readonly Dictionary<TrialId, TrialRecord> _trials = [];
    private readonly List<TrialRecord> _order = [];
    private readonly List<EvaluationArchived> _archive = [];

    public StudyRecord(string studyId) => StudyId = studyId;

    public string StudyId { get; }

    public StudyCreated? Created { get; private set; }

    public StudyFinished? Finished { get; private set; }

    public IReadOnlyList<TrialRecord> Trials => _order;

    public IReadOnlyList<EvaluationArchived> Archive => _archive;

    public bool Exists => Created is not null;

    public int Completed => _order.Count(t => t.Completed is not null);

    public int FailedCount => _order.Count(t => t.Failed is not null);

    public int Running => _order.Count(t => t.Status == "running");

    public int Pending => _order.Count(t => t.Status == "pending");

    public double Hypervolume => _archive.Count > 0 ? _archive[^1].Hypervolume : 0.0;

    public string State => Created is null ? "not-found" : Finished is not null ? "finished" : "unfinished";

    public void Apply(object e)
    {
        switch (e)
        {
            case StudyCreated created:
                Created = created;
                break;
            case TrialScheduled scheduled when !_trials.ContainsKey(scheduled.Request.Id):
                var record = new TrialRecord(scheduled);
                _trials.Add(record.Id, record);
                _order.Add(record);
                break;
            case TrialStarted started when _trials.TryGetValue(started.Trial, out var trial):
                trial.Started ??= started;
                break;
            case TrialCompleted completed when _trials.TryGetValue(completed.Trial, out var trial) && trial.Failed is null:
                trial.Completed ??= completed;
                break;
            case TrialFailed failed when _trials.TryGetValue(failed.Trial, out var trial) && trial.Completed is null:
                trial.Failed ??= failed;
                break;
            case StudyFinished finished:
                Finished = finished;
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
    public IReadOnlyList<TrialRecord> ParetoFront()
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
