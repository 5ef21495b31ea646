using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>
/// The real SQLite journal, except that it fails the next writes of chosen persistence ids on request: a journal
/// write failure as a full disk or a lost database connection produces it, to prove the study survives one.
/// </summary>
public sealed class FlakySqlJournal : SqlWriteJournal
{
    private static readonly object Gate = new();
    private static string _prefix = string.Empty;
    private static int _failuresLeft;
    private static int _failed;
    private static Func<object, bool> _events = _ => true;

    public FlakySqlJournal(Config config)
        : base(config)
    {
    }

    /// <summary>How many writes failed since the last <see cref="FailNextWrites"/>.</summary>
    public static int Failed
    {
        get
        {
            lock (Gate)
            {
                return _failed;
            }
        }
    }

    /// <param name="events">Which events' writes fail (all by default).</param>
    public static void FailNextWrites(string persistenceIdPrefix, int count, Func<object, bool>? events = null)
    {
        lock (Gate)
        {
            _events = events ?? (_ => true);
            _prefix = persistenceIdPrefix;
            _failuresLeft = count;
            _failed = 0;
        }
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        lock (Gate)
        {
            if (_failuresLeft > 0 && writes.Any(w => w.PersistenceId.StartsWith(_prefix, StringComparison.Ordinal) && Events(w).Any(_events)))
            {
                _failuresLeft--;
                _failed++;
                return Task.FromException<IImmutableList<Exception>>(new IOException("injected journal write failure"));
            }
        }

        return base.WriteMessagesAsync(writes, cancellationToken);
    }

    private static IEnumerable<object> Events(AtomicWrite write) =>
        ((IEnumerable<IPersistentRepresentation>)write.Payload).Select(p => p.Payload);
}
