using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.ReadSide;

/// <summary>Reads studies from the journal through Akka.Persistence.Query, without starting any study actor.</summary>
public static class JournalReader
{
    /// <summary>How long the write journal may take to start (open the database, create its tables) before reading.</summary>
    private static readonly TimeSpan JournalStartTimeout = TimeSpan.FromSeconds(60);

    // One read journal per actor system, once created: later reads start without touching the plugin's start-up.
    private static readonly ConditionalWeakTable<ActorSystem, SqlReadJournal> Journals = new();

    /// <summary>
    /// The read journal. Akka.Persistence.Sql's read journal, when first created, waits, blocking its creator, a fixed
    /// 5 s for the write journal to start, which a busy machine or a slow PostgreSQL server can exceed; a journal that
    /// failed that wait is not kept, so asking again waits again, up to <see cref="JournalStartTimeout"/> in all.
    /// That creation runs on a thread-pool thread, never on the caller's: callers include actors (the cluster
    /// coordinator and gateway), whose dispatcher threads must not block, and every method here returns its task at
    /// once.
    /// </summary>
    private static async Task<SqlReadJournal> JournalAsync(ActorSystem system, CancellationToken cancellation)
    {
        if (Journals.TryGetValue(system, out var known))
        {
            return known;
        }

        var deadline = DateTime.UtcNow + JournalStartTimeout;
        while (true)
        {
            try
            {
                var journal = await Task.Run(() => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier), cancellation).ConfigureAwait(false);
                Journals.AddOrUpdate(system, journal);
                return journal;
            }
            catch (AggregateException error) when (error.InnerException is AskTimeoutException && DateTime.UtcNow < deadline)
            {
                // The write journal is still starting: its own timeout already waited, so try again at once.
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>The ids of every study in the database, sorted.</summary>
    public static async Task<IReadOnlyList<string>> ListStudiesAsync(ActorSystem system, CancellationToken cancellation = default)
    {
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith("study-", StringComparison.Ordinal))
            .Select(id => id["study-".Length..])
            .RunWith(Sink.Seq<string>(), system.Materializer())
            .WaitAsync(cancellation)
            .ConfigureAwait(false);
        return ids.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// A study's persisted events as they are in the journal: its ledger, then its archive (what
    /// <see cref="StudyRecord.Apply"/> folds). Empty for an unknown id. A cluster client gets these and folds them.
    /// </summary>
    public static async Task<IReadOnlyList<object>> ReadStudyEventsAsync(ActorSystem system, string studyId, CancellationToken cancellation = default)
    {
        var events = new List<object>();
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var materializer = system.Materializer();
        foreach (var persistenceId in new[] { StudyActor.PersistenceIdFor(studyId), ParetoArchiveActor.PersistenceIdFor(studyId) })
        {
            await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                .RunForeach(envelope => events.Add(envelope.Event), materializer)
                .WaitAsync(cancellation)
                .ConfigureAwait(false);
        }

        return events;
    }

    /// <summary>A study's ledger and archive folded into a record; <see cref="StudyRecord.Exists"/> is false for an unknown id.</summary>
    public static async Task<StudyRecord> ReadStudyAsync(ActorSystem system, string studyId, CancellationToken cancellation = default)
    {
        var record = new StudyRecord(studyId);
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var materializer = system.Materializer();
        await journal.CurrentEventsByPersistenceId(StudyActor.PersistenceIdFor(studyId), 0, long.MaxValue)
            .RunForeach(envelope => record.Apply(envelope.Event), materializer)
            .WaitAsync(cancellation)
            .ConfigureAwait(false);
        await journal.CurrentEventsByPersistenceId(ParetoArchiveActor.PersistenceIdFor(studyId), 0, long.MaxValue)
            .RunForeach(envelope => record.Apply(envelope.Event), materializer)
            .WaitAsync(cancellation)
            .ConfigureAwait(false);
        return record;
    }
}
