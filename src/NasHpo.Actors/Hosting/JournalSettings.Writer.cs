using Akka.Configuration;
using Npgsql;

namespace NasHpo.Actors.Hosting;

internal sealed partial class JournalSettings
{
    /// <summary>
    /// The same database, for an engine that writes as <paramref name="holder"/>. On PostgreSQL its connections carry
    /// the holder id as their application name, which the journal's lease fence (<see cref="StudyLeaseStore.EnsureFence"/>)
    /// checks on every insert, and the server ends a session of it that sits in an open transaction longer than
    /// <paramref name="idleInTransaction"/>: an engine frozen mid-write (SIGSTOP, a hung host) would otherwise keep its
    /// row locks and hold up the engine that takes its study over. SQLite has neither: the same settings.
    /// </summary>
    public JournalSettings ForWriter(LeaseHolder holder, TimeSpan idleInTransaction)
    {
        ArgumentNullException.ThrowIfNull(holder);
        if (Kind == JournalKind.Sqlite)
        {
            return this;
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            ApplicationName = holder.HolderId,
            Options = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-c idle_in_transaction_session_timeout={(long)idleInTransaction.TotalMilliseconds}"),
        };
        return new JournalSettings(Kind, builder.ConnectionString, Display, SqliteFile);
    }

    /// <summary>Only the three connection strings (journal, snapshots, read side), to lay over a whole configuration.</summary>
    public Config ConnectionConfig()
    {
        var quoted = Quote(ConnectionString);
        return ConfigurationFactory.ParseString(
            $"akka.persistence.journal.sql.connection-string = {quoted}\n" +
            $"akka.persistence.snapshot-store.sql.connection-string = {quoted}\n" +
            $"akka.persistence.query.journal.sql.connection-string = {quoted}\n");
    }
}
