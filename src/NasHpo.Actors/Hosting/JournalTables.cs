using Akka.Actor;
using Akka.Persistence;

namespace NasHpo.Actors.Hosting;

/// <summary>
/// The journal's tables made to exist in a database no engine may have used yet, by Akka.Persistence.Sql itself
/// (<c>auto-initialize</c>), for a command that then writes them below Akka (<c>nashpo copy</c>): the tables are the
/// plugin's, created by the plugin, never by a schema of our own that could drift from it.
/// </summary>
internal static class JournalTables
{
    // A persistence id no study can have (study ids allow no '#'): the questions below touch nothing real.
    private const string Probe = "nashpo#tables";

    /// <summary>Starts the actor system's journal and snapshot store and waits until both answer.</summary>
    public static async Task CreateAsync(ActorSystem system, TimeSpan timeout, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(system);

        // Each creates its tables when it starts and holds back what it is asked until then, so an answer means the
        // tables are there.
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        await persistence.JournalFor(null)
            .Ask<object>(replyTo => new ReplayMessages(1, 0, 0, Probe, replyTo), timeout, cancellation)
            .ConfigureAwait(false);
        await persistence.SnapshotStoreFor(null)
            .Ask<LoadSnapshotResult>(new LoadSnapshot(Probe, SnapshotSelectionCriteria.None, 0), timeout, cancellation)
            .ConfigureAwait(false);
    }
}
