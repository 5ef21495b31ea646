using Akka.Configuration;
using Akka.Persistence.Sql.Journal;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>The real SQLite journal, slow to start: as on a busy machine or behind a slow PostgreSQL server.</summary>
public sealed class SlowStartingSqlJournal : SqlWriteJournal
{
    public static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(2);

    public SlowStartingSqlJournal(Config config)
        : base(config)
    {
        Thread.Sleep(StartDelay);
    }
}
