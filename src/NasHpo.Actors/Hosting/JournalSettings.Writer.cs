using Akka.Configuration;
using Npgsql;

namespace NasHpo.Actors.Hosting;

public sealed partial class JournalSettings
{
    /// <summary>
    /// The same database, for an engine that writes as <paramref name="holder"/>: on PostgreSQL its connections carry
    /// the holder id as their application name, which the journal's lease fence (<see cref="StudyLeaseStore.EnsureFence"/>)
    /// checks on every insert. SQLite has no such session value: the same settings.
    /// </summary>
    public JournalSettings ForWriter(LeaseHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        if (Kind == JournalKind.Sqlite)
        {
            return this;
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = holder.HolderId };
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
