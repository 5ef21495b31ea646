using Akka.Event;
using Akka.Persistence;

namespace NasHpo.Actors.Persistence;

/// <summary>
/// A persistent actor that snapshots every N events and keeps only its newest snapshot, so that recovery reads one
/// snapshot and a short tail of the journal. Events are never deleted: the read side folds them for reports.
/// </summary>
public abstract class SnapshottingActor : ReceivePersistentActor
{
    private readonly int _snapshotEvery;

    /// <param name="snapshotEvery">Events between snapshots; 0 turns snapshots off.</param>
    protected SnapshottingActor(int snapshotEvery)
    {
        _snapshotEvery = snapshotEvery;
        Command<SaveSnapshotSuccess>(success => DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));

        // A failed snapshot loses nothing (the events are in the journal); recovery just reads more of them.
        Command<SaveSnapshotFailure>(failure => Context.GetLogger().Warning("{0}: snapshot failed: {1}", PersistenceId, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    /// <summary>Call from a persist handler: saves the state <paramref name="snapshot"/> builds when a snapshot is due.</summary>
    protected void SnapshotWhenDue(Func<object> snapshot)
    {
        if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0)
        {
            SaveSnapshot(snapshot());
        }
    }
}
