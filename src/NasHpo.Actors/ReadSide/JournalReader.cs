using System.Globalization;
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
internal static class JournalReader
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
            await FoldAsync(journal, materializer, persistenceId, events.Add, cancellation).ConfigureAwait(false);
        }

        return events;
    }

    /// <summary>A study's ledger and archive folded into a record; <see cref="StudyRecord.Exists"/> is false for an unknown id.</summary>
    public static async Task<StudyRecord> ReadStudyAsync(ActorSystem system, string studyId, CancellationToken cancellation = default)
    {
        var record = new StudyRecord(studyId);
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var materializer = system.Materializer();
        await FoldAsync(journal, materializer, StudyActor.PersistenceIdFor(studyId), record.Apply, cancellation).ConfigureAwait(false);
        await FoldAsync(journal, materializer, ParetoArchiveActor.PersistenceIdFor(studyId), record.Apply, cancellation).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Follows a study live: every event of its ledger and its archive already persisted, then
    /// <paramref name="caughtUp"/>, then each new event as it is persisted (by this process or another; the journal is
    /// polled every <c>akka.persistence.query.journal.sql.refresh-interval</c>), until <paramref name="cancellation"/>.
    /// The two journals arrive interleaved, each in its own order, which is all <see cref="StudyRecord.Apply"/> needs.
    /// <paramref name="onEvent"/> runs on a stream thread, one event at a time.
    /// </summary>
    public static async Task FollowStudyAsync(ActorSystem system, string studyId, Action<object> onEvent, Action caughtUp, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        ArgumentNullException.ThrowIfNull(caughtUp);
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var materializer = system.Materializer();
        var ledgerId = StudyActor.PersistenceIdFor(studyId);
        var archiveId = ParetoArchiveActor.PersistenceIdFor(studyId);

        // What is there now, through the current query (it completes, so the caller learns when it has caught up).
        var last = new Dictionary<string, long> { [ledgerId] = 0, [archiveId] = 0 };
        foreach (var persistenceId in last.Keys.ToArray())
        {
            await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                .RunForeach(
                    envelope =>
                    {
                        onEvent(envelope.Event);
                        last[persistenceId] = envelope.SequenceNr;
                    },
                    materializer)
                .WaitAsync(cancellation)
                .ConfigureAwait(false);
        }

        caughtUp();
        var (killSwitch, done) = journal.EventsByPersistenceId(ledgerId, last[ledgerId] + 1, long.MaxValue)
            .Merge(journal.EventsByPersistenceId(archiveId, last[archiveId] + 1, long.MaxValue))
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.ForEach<EventEnvelope>(envelope => onEvent(envelope.Event)), Keep.Both)
            .Run(materializer);
        using (cancellation.Register(killSwitch.Shutdown))
        {
            await done.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads every event of one persistence id and drops them: for a caller about to start the actor that recovers
    /// from them, so that an event it could not read is refused before the engine starts instead of failing its
    /// recovery (see <see cref="UnreadableEventException"/>).
    /// </summary>
    public static async Task CheckReadableAsync(ActorSystem system, string persistenceId, CancellationToken cancellation = default)
    {
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        await FoldAsync(journal, system.Materializer(), persistenceId, _ => { }, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Folds one persistence id's events in order. An event whose row does not convert or whose payload does not
    /// deserialize fails the query without saying which it was, so the event is then looked for and named in an
    /// <see cref="UnreadableEventException"/>; any other failure (the fold's own) is left as it is.
    /// </summary>
    private static async Task FoldAsync(SqlReadJournal journal, IMaterializer materializer, string persistenceId, Action<object> apply, CancellationToken cancellation)
    {
        var folded = 0L;
        try
        {
            await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                .RunForeach(
                    envelope =>
                    {
                        apply(envelope.Event);
                        folded = envelope.SequenceNr;
                    },
                    materializer)
                .WaitAsync(cancellation)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (UnreadableEvent.IsReadFailure(error))
        {
            // The failing event comes after the last one folded. It is searched for by reading without folding, so
            // a fault of the fold itself (which reads fine) is not taken for a damaged journal and stays a bug.
            var failure = await TryReadAsync(journal, materializer, persistenceId, folded + 1, long.MaxValue, null, cancellation).ConfigureAwait(false);
            if (failure is null || !UnreadableEvent.IsReadFailure(failure))
            {
                throw;
            }

            var (sequenceNr, cause) = await LocateFailureAsync(journal, materializer, persistenceId, folded + 1, failure, cancellation).ConfigureAwait(false);
            throw new UnreadableEventException(persistenceId, UnreadableEvent.From(sequenceNr, cause), error);
        }
    }

    /// <summary>Reads events <paramref name="from"/> to <paramref name="to"/> into <paramref name="into"/>, or returns why they could not all be read.</summary>
    private static async Task<Exception?> TryReadAsync(SqlReadJournal journal, IMaterializer materializer, string persistenceId, long from, long to, List<JournalEvent>? into, CancellationToken cancellation)
    {
        var events = new List<JournalEvent>();
        try
        {
            await journal.CurrentEventsByPersistenceId(persistenceId, from, to)
                .RunForeach(envelope => events.Add(new JournalEvent(envelope.SequenceNr, envelope.Event)), materializer)
                .WaitAsync(cancellation)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return error;
        }

        into?.AddRange(events);
        return null;
    }

    /// <summary>
    /// The first event from <paramref name="next"/> on that fails to read, given that reading from there failed with
    /// <paramref name="failure"/>: a range [next, end] fails once it holds that event, so this searches for the
    /// smallest failing end, first doubling the distance, then halving. Returns its sequence number and its failure.
    /// </summary>
    private static async Task<(long SequenceNr, Exception Failure)> LocateFailureAsync(SqlReadJournal journal, IMaterializer materializer, string persistenceId, long next, Exception failure, CancellationToken cancellation)
    {
        long good = next - 1, bad = long.MaxValue;
        for (var width = 1L; next - 1 + width < bad; width *= 2)
        {
            var end = next - 1 + width;
            var error = await TryReadAsync(journal, materializer, persistenceId, next, end, null, cancellation).ConfigureAwait(false);
            if (error is not null)
            {
                (bad, failure) = (end, error);
                break;
            }

            good = end;
            if (width > long.MaxValue / 4)
            {
                break;
            }
        }

        while (bad - good > 1)
        {
            var middle = good + ((bad - good) / 2);
            var error = await TryReadAsync(journal, materializer, persistenceId, next, middle, null, cancellation).ConfigureAwait(false);
            if (error is null)
            {
                good = middle;
            }
            else
            {
                (bad, failure) = (middle, error);
            }
        }

        return (bad, failure);
    }

    /// <summary>
    /// One persistence id's events, read past the ones that cannot be read: the query stops at an event that fails to
    /// deserialize, so the reader finds that event's sequence number (the smallest end of a range that still fails),
    /// records it as unreadable with the reason, and reads on after it. For <c>nashpo verify</c>; the folding readers
    /// above stop at the first such event and name it (<see cref="UnreadableEventException"/>).
    /// </summary>
    public static async Task<PersistenceIdEvents> ReadEventsPastFailuresAsync(ActorSystem system, string persistenceId, CancellationToken cancellation = default)
    {
        var journal = await JournalAsync(system, cancellation).ConfigureAwait(false);
        var materializer = system.Materializer();
        var readable = new List<JournalEvent>();
        var unreadable = new List<UnreadableEvent>();
        var next = 1L;
        while (next > 0)
        {
            // Events read before a failure may be lost with it (a stream's failure can overtake the elements before
            // it), so a failed range is read again below, up to the event that fails.
            var failure = await TryReadAsync(journal, materializer, persistenceId, next, long.MaxValue, readable, cancellation).ConfigureAwait(false);
            if (failure is null)
            {
                break;
            }

            var (bad, cause) = await LocateFailureAsync(journal, materializer, persistenceId, next, failure, cancellation).ConfigureAwait(false);
            if (bad > next && await TryReadAsync(journal, materializer, persistenceId, next, bad - 1, readable, cancellation).ConfigureAwait(false) is { } again)
            {
                throw new InvalidOperationException($"{persistenceId}: events {next}..{bad - 1} read once but not twice", again);
            }

            unreadable.Add(UnreadableEvent.From(bad, cause));
            next = bad == long.MaxValue ? 0 : bad + 1;
        }

        return new PersistenceIdEvents(persistenceId, readable.OrderBy(e => e.SequenceNr).ToArray(), unreadable);
    }
}

/// <summary>An event of the journal with its sequence number in its persistence id.</summary>
internal sealed record JournalEvent(long SequenceNr, object Event);

/// <summary>
/// An event that is in the journal but cannot be read: a damaged payload, or (when <see cref="UnknownManifest"/> is
/// set) a manifest this build does not know, such as a newer version's.
/// </summary>
internal sealed record UnreadableEvent(long SequenceNr, string Reason, string? UnknownManifest)
{
    /// <summary>The reason from the query's failure: the innermost cause, which Akka wraps.</summary>
    public static UnreadableEvent From(long sequenceNr, Exception failure)
    {
        var causes = new List<Exception>();
        for (Exception? current = failure; current is not null; current = current.InnerException)
        {
            causes.Add(current);
        }

        if (causes.OfType<Serialization.UnknownManifestException>().FirstOrDefault() is { } unknown)
        {
            return new UnreadableEvent(sequenceNr, unknown.Message, unknown.Manifest);
        }

        var innermost = causes[^1];
        return new UnreadableEvent(sequenceNr, $"{innermost.GetType().Name}: {innermost.Message.ReplaceLineEndings(" ").Trim()}", null);
    }

    /// <summary>
    /// Whether a failed query failed on a row it could not turn back into an event: a column whose value LinqToDB
    /// cannot convert (a value of another type written over it), or a payload the serializers refuse (bytes that do
    /// not parse, a manifest or serializer id this build does not know). Anything else is no sign of a damaged row.
    /// </summary>
    public static bool IsReadFailure(Exception failure)
    {
        for (Exception? current = failure; current is not null; current = current.InnerException)
        {
            if (current is LinqToDB.Common.LinqToDBConvertException or Google.Protobuf.InvalidProtocolBufferException or System.Runtime.Serialization.SerializationException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One line naming the event in its persistence id, as <c>nashpo verify</c> lists it.</summary>
    public string Describe(string persistenceId) => UnknownManifest is not null
        ? string.Create(CultureInfo.InvariantCulture, $"{persistenceId}: event {SequenceNr} is of an unknown version (manifest \"{UnknownManifest}\"): written by a newer or foreign version of NasHpo")
        : string.Create(CultureInfo.InvariantCulture, $"{persistenceId}: event {SequenceNr} cannot be read ({Reason})");
}

/// <summary>
/// A study's events stop at one that cannot be read (see <see cref="UnreadableEvent.IsReadFailure"/>): the folding
/// readers cannot say what the study is without it. The message names the persistence id and the event.
/// </summary>
internal sealed class UnreadableEventException : Exception
{
    public UnreadableEventException(string persistenceId, UnreadableEvent unreadable, Exception inner)
        : base((unreadable ?? throw new ArgumentNullException(nameof(unreadable))).Describe(persistenceId), inner)
    {
        PersistenceId = persistenceId;
        SequenceNr = unreadable.SequenceNr;
    }

    public UnreadableEventException()
    {
    }

    public UnreadableEventException(string message)
        : base(message)
    {
    }

    public UnreadableEventException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public string PersistenceId { get; } = string.Empty;

    public long SequenceNr { get; }
}

/// <summary>What one persistence id's events were: those read, in sequence order, and those that could not be.</summary>
internal sealed record PersistenceIdEvents(string PersistenceId, IReadOnlyList<JournalEvent> Readable, IReadOnlyList<UnreadableEvent> Unreadable);
