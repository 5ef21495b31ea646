using Akka.Actor;
using Akka.Persistence;
using NasHpo.Actors.Persistence;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;

namespace NasHpo.Actors.Archive;

/// <summary>
/// The study's Pareto archive ("pareto-{id}"): every completed evaluation, the non-dominated front of those at
/// the maximum budget, and the hypervolume after each evaluation against the study's fixed reference point.
/// Its state is rebuildable from completed evaluations; the hypervolume history is persisted with them because it
/// records when the front improved, which a later replay could not know.
/// Evaluations arrive, are persisted and are returned in the journal's recorded form; the hypervolume is computed in
/// minimisation space (log10 values for log-scale objectives, the reference point likewise). The front is the same in
/// either form, as a scale only ever maps values monotonically.
/// </summary>
internal sealed class ParetoArchiveActor : SnapshottingActor
{
    private readonly double[] _reference;
    private readonly ObjectiveSpace _objectives;
    private readonly double _maxBudget;
    private readonly DateTimeOffset _studyCreatedAt;
    private readonly List<EvaluationArchived> _archived = [];
    private readonly HashSet<TrialId> _known = [];
    private readonly ParetoArchive<Evaluation> _front = new();
    private double _hypervolume;

    /// <param name="referencePoint">The study's reference point in recorded form.</param>
    public ParetoArchiveActor(string studyId, IReadOnlyList<double> referencePoint, ObjectiveSpace objectives, double maxBudget, DateTimeOffset studyCreatedAt, int snapshotEvery)
        : base(studyId, snapshotEvery)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        PersistenceId = PersistenceIdFor(studyId);
        _objectives = objectives;
        _reference = objectives.FromRecorded(referencePoint);
        _maxBudget = maxBudget;
        _studyCreatedAt = studyCreatedAt;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ArchiveSnapshot snapshot)
            {
                snapshot.Evaluations.ToList().ForEach(Apply);
            }
        });
        Recover<EvaluationArchived>(Apply);

        Command<ArchiveEvaluations>(Archive);
        Command<GetParetoFront>(_ => Sender.Tell(new ParetoFront(_front.Members, _hypervolume)));
    }

    public override string PersistenceId { get; }

    /// <summary>Frozen: renaming it orphans every archive journal.</summary>
    public static string PersistenceIdFor(string studyId) => $"pareto-{studyId}";

    public static Props Props(string studyId, IReadOnlyList<double> referencePoint, ObjectiveSpace objectives, double maxBudget, DateTimeOffset studyCreatedAt, int snapshotEvery) =>
        Akka.Actor.Props.Create<ParetoArchiveActor>(studyId, referencePoint, objectives, maxBudget, studyCreatedAt, snapshotEvery);

    private void Archive(ArchiveEvaluations message)
    {
        var replyTo = Sender;
        var fresh = message.Evaluations.Where(e => !_known.Contains(e.Trial)).DistinctBy(e => e.Trial).ToArray();
        if (fresh.Length == 0)
        {
            replyTo.Tell(Summary());
            return;
        }

        // The hypervolume after each evaluation is computed now, on a scratch copy of the front, and persisted.
        var front = _front.Copy();
        var hypervolume = _hypervolume;
        var elapsed = DateTimeOffset.UtcNow - _studyCreatedAt;
        var events = new List<EvaluationArchived>(fresh.Length);
        foreach (var evaluation in fresh)
        {
            if (Admit(front, evaluation))
            {
                hypervolume = Hypervolume.Compute(front.Members.Select(e => _objectives.FromRecorded(e.Objectives)).ToArray(), _reference);
            }

            events.Add(new EvaluationArchived(evaluation.Trial, evaluation.Objectives, elapsed, hypervolume));
        }

        var remaining = events.Count;
        PersistAll(events, archived =>
        {
            Apply(archived);
            SnapshotWhenDue(() => new ArchiveSnapshot(_archived.ToArray()));

            if (--remaining == 0)
            {
                replyTo.Tell(Summary());
            }
        });
    }

    private void Apply(EvaluationArchived archived)
    {
        if (!_known.Add(archived.Trial))
        {
            return;
        }

        _archived.Add(archived);
        Admit(_front, new Evaluation(archived.Trial, archived.Objectives));
        _hypervolume = archived.Hypervolume;
    }

    /// <summary>Offers a maximum-budget evaluation to the front (<see cref="ParetoArchive{T}"/>); returns whether it changed.</summary>
    private bool Admit(ParetoArchive<Evaluation> front, Evaluation evaluation) =>
        evaluation.Trial.Budget >= _maxBudget && front.Admit(evaluation, evaluation.Objectives);

    private ArchiveUpdated Summary() => new(_archived.Count, _hypervolume, _front.Count);
}
