using Akka.Event;
using Akka.Persistence;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Persistence;

/// <summary>
/// A persistent actor that snapshots every N events and keeps only its newest snapshot, so that recovery reads one
/// snapshot and a short tail of the journal. Events are never deleted: the read side folds them for reports.
/// </summary>
/// <remarks>
/// The snapshot store's replies are handled in every behaviour: <see cref="Become"/> installs them ahead of the
/// behaviour it is given. (A plain <c>Become</c> replaces the whole handler set; a subclass that switched behaviour
/// used to drop these handlers after its first switch, and then never deleted an old snapshot again.)
/// A recovery that fails, or a write that finds the disk full, stops the study rather than the actor alone
/// (<see cref="StudyFaults"/>): its backoff supervisor would start it again without end.
/// </remarks>
internal abstract class SnapshottingActor : ReceivePersistentActor
{
    private readonly int _snapshotEvery;
    private readonly string _studyId;

    /// <param name="studyId">The study this actor belongs to, stopped when the actor cannot recover or write.</param>
    /// <param name="snapshotEvery">Events between snapshots; 0 turns snapshots off.</param>
    protected SnapshottingActor(string studyId, int snapshotEvery)
    {
        _studyId = studyId;
        _snapshotEvery = snapshotEvery;
        HandleSnapshotReplies();
    }

    /// <summary>Switches to <paramref name="configure"/>'s handlers, keeping the snapshot store's replies handled.</summary>
    protected new void Become(Action configure) =>
        base.Become(() =>
        {
            HandleSnapshotReplies();
            configure();
        });

    /// <summary>Call from a persist handler: saves the state <paramref name="snapshot"/> builds when a snapshot is due.</summary>
    protected void SnapshotWhenDue(Func<object> snapshot)
    {
        if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0)
        {
            SaveSnapshot(snapshot());
        }
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        if (!StudyFaults.RecoveryFailed(Context, _studyId, PersistenceId, reason, message, LastSequenceNr))
        {
            base.OnRecoveryFailure(reason, message);
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        if (!StudyFaults.WriteFailed(Context, _studyId, PersistenceId, cause, sequenceNr))
        {
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }

    private void HandleSnapshotReplies()
    {
        Command<SaveSnapshotSuccess>(success => DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));

        // A failed snapshot loses nothing (the events are in the journal); recovery just reads more of them.
        Command<SaveSnapshotFailure>(failure => Context.GetLogger().Warning("{0}: snapshot failed: {1}", PersistenceId, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }
}
