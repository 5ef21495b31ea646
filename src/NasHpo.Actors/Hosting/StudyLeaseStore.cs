using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NasHpo.Actors.Hosting;

/// <summary>Who holds (or asks for) a study's lease: one engine process, or one cluster's coordinator singleton.</summary>
/// <param name="HolderId">unique per process (a cluster node's id), never reused</param>
/// <param name="Group">holders of one group may take each other's leases at once (the nodes of one cluster, whose
/// singleton guarantees a single writer among them); a lone process is a group of its own</param>
/// <param name="Host">the machine's name</param>
/// <param name="ProcessId">the operating system's process id</param>
internal sealed record LeaseHolder(string HolderId, string Group, string Host, int ProcessId)
{
    /// <summary>This process, as a lone writer.</summary>
    public static LeaseHolder ForThisProcess()
    {
        var id = "nashpo-" + Guid.NewGuid().ToString("N")[..16];
        return new LeaseHolder(id, id, Environment.MachineName, Environment.ProcessId);
    }
}

/// <summary>A lease as the database holds it; times are the database's clock, in milliseconds since 1970.</summary>
internal sealed record LeaseRow(string StudyId, string HolderId, string Group, string Host, int ProcessId, long AcquiredAtMs, long RenewedAtMs, long ExpiresAtMs, long NowMs)
{
    public DateTimeOffset AcquiredAt => DateTimeOffset.FromUnixTimeMilliseconds(AcquiredAtMs);

    public bool Expired => ExpiresAtMs <= NowMs;

    /// <summary>"process 1234 on host-a since 2026-12-04 15:20:01Z (last heartbeat 2 s ago)".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"process {ProcessId} on {Host} since {AcquiredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (last heartbeat {Math.Max(0, NowMs - RenewedAtMs) / 1000.0:F0} s ago)");
}

/// <summary>
/// The study leases in the journal's own database (table <c>nashpo_study_lease</c>, created on first use like the
/// journal's tables), so every process that writes a study, on any host, sees the same rows. Acquiring is one
/// conditional upsert; renewing and releasing are conditional on the holder id, so a holder that lost its lease can
/// neither renew nor release the new holder's. Times come from the database's clock, never the hosts'.
/// </summary>
internal sealed class StudyLeaseStore
{
    private const string Table = "nashpo_study_lease";
    private readonly JournalSettings _journal;
    private readonly string _now;

    public StudyLeaseStore(JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        _journal = journal;
        _now = journal.Kind == JournalKind.Sqlite
            ? "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
            : "CAST(extract(epoch from clock_timestamp()) * 1000 AS BIGINT)";
    }

    /// <summary>Creates the lease table when it is missing.</summary>
    public void EnsureTable()
    {
        const string create = $"CREATE TABLE IF NOT EXISTS {Table} (study_id VARCHAR(255) PRIMARY KEY, holder_id VARCHAR(64) NOT NULL, holder_group VARCHAR(255) NOT NULL, " +
            "host VARCHAR(255) NOT NULL, pid INTEGER NOT NULL, acquired_at BIGINT NOT NULL, renewed_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)";
        if (_journal.Kind != JournalKind.PostgreSql)
        {
            Execute(create, _ => { });
            return;
        }

        // PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself: two engines starting together both see
        // no table, and the second fails on the catalog's unique index (23505 on pg_type_typname_nsp_index). A
        // transaction-scoped advisory lock makes the creations take turns; the second then finds the table.
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({DdlLockKey}); {create}";
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>The advisory lock key under which engines create their tables and triggers one at a time.</summary>
    private const long DdlLockKey = 0x6E617368706F; // "nashpo" in ASCII

    /// <summary>
    /// PostgreSQL only: a trigger on the journal and snapshot tables that refuses an insert for a study whose lease
    /// another holder has, when the inserting connection is an engine (application name "nashpo-..."). This is what
    /// keeps a holder that was frozen and taken over from writing in the moments before its heartbeat notices. Returns
    /// true once the fence stands (false while the journal's tables do not exist yet, or on SQLite, which has none).
    /// </summary>
    public bool EnsureFence()
    {
        if (_journal.Kind != JournalKind.PostgreSql)
        {
            return false;
        }

        using var connection = Open();
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT to_regclass('journal') IS NOT NULL AND to_regclass('snapshot') IS NOT NULL, " +
            "(SELECT count(*) FROM pg_trigger WHERE tgname = 'nashpo_lease_fence' AND tgrelid IN (to_regclass('journal'), to_regclass('snapshot')))";
        using (var reader = check.ExecuteReader())
        {
            reader.Read();
            if (!reader.GetBoolean(0))
            {
                return false;
            }

            if (reader.GetInt64(1) == 2)
            {
                return true;
            }
        }

        // The same advisory lock as the table's creation: two engines replacing the function at once would otherwise
        // fail with "tuple concurrently updated".
        using var transaction = connection.BeginTransaction();
        using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = $$"""
            SELECT pg_advisory_xact_lock({{DdlLockKey}});
            CREATE OR REPLACE FUNCTION nashpo_lease_fence() RETURNS trigger LANGUAGE plpgsql AS $fence$
            DECLARE writer text := coalesce(current_setting('application_name', true), '');
            BEGIN
              IF writer LIKE 'nashpo-%' AND EXISTS (
                SELECT 1 FROM {{Table}} l
                WHERE l.holder_id <> writer
                  AND (NEW.persistence_id IN ('study-' || l.study_id, 'sampler-' || l.study_id, 'pareto-' || l.study_id)
                       OR NEW.persistence_id ~ ('^bracket-' || replace(l.study_id, '.', '\.') || '-[0-9]+$'))) THEN
                RAISE EXCEPTION 'nashpo lease fence: engine % may not write %: another engine holds the study', writer, NEW.persistence_id;
              END IF;
              RETURN NEW;
            END
            $fence$;
            CREATE OR REPLACE TRIGGER nashpo_lease_fence BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION nashpo_lease_fence();
            CREATE OR REPLACE TRIGGER nashpo_lease_fence BEFORE INSERT ON snapshot FOR EACH ROW EXECUTE FUNCTION nashpo_lease_fence();
            """;
        try
        {
            create.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (PostgresException error) when (error.SqlState is "XX000" or "40P01" or "42710" or "23505")
        {
            // An engine of an earlier version (which took no lock) created it at the same moment: it stands either way.
        }

        return true;
    }

    /// <summary>
    /// Takes the lease when it is free, expired, already this holder's, held by this holder's group, or held by
    /// <paramref name="deadHolderId"/> (a holder known to be dead); returns null when taken, else the current holder.
    /// </summary>
    public LeaseRow? TryAcquire(string studyId, LeaseHolder holder, TimeSpan timeToLive, string? deadHolderId = null)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var taken = Execute(
            $"INSERT INTO {Table} (study_id, holder_id, holder_group, host, pid, acquired_at, renewed_at, expires_at) " +
            $"VALUES (@study, @holder, @group, @host, @pid, {_now}, {_now}, {_now} + @ttl) " +
            "ON CONFLICT (study_id) DO UPDATE SET holder_id = excluded.holder_id, holder_group = excluded.holder_group, host = excluded.host, " +
            "pid = excluded.pid, acquired_at = CASE WHEN " + Table + ".holder_id = excluded.holder_id THEN " + Table + ".acquired_at ELSE excluded.acquired_at END, " +
            "renewed_at = excluded.renewed_at, expires_at = excluded.expires_at " +
            $"WHERE {Table}.expires_at <= {_now} OR {Table}.holder_id = excluded.holder_id OR {Table}.holder_group = excluded.holder_group OR {Table}.holder_id = @dead",
            command =>
            {
                Add(command, "study", studyId);
                Add(command, "holder", holder.HolderId);
                Add(command, "group", holder.Group);
                Add(command, "host", holder.Host);
                Add(command, "pid", holder.ProcessId);
                Add(command, "ttl", (long)timeToLive.TotalMilliseconds);
                Add(command, "dead", deadHolderId ?? string.Empty);
            });
        return taken == 1 ? null : Read(studyId) ?? TryAcquire(studyId, holder, timeToLive, deadHolderId);
    }

    /// <summary>Extends the lease if this holder still has it; false when it was taken over (or released).</summary>
    public bool Renew(string studyId, string holderId, TimeSpan timeToLive) => Execute(
        $"UPDATE {Table} SET renewed_at = {_now}, expires_at = {_now} + @ttl WHERE study_id = @study AND holder_id = @holder",
        command =>
        {
            Add(command, "study", studyId);
            Add(command, "holder", holderId);
            Add(command, "ttl", (long)timeToLive.TotalMilliseconds);
        }) == 1;

    /// <summary>Gives the lease up (nothing happens when another holder has it by now).</summary>
    public void Release(string studyId, string holderId) => Execute(
        $"DELETE FROM {Table} WHERE study_id = @study AND holder_id = @holder",
        command =>
        {
            Add(command, "study", studyId);
            Add(command, "holder", holderId);
        });

    /// <summary>The study's lease row, or null when nobody holds it.</summary>
    public LeaseRow? Read(string studyId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT study_id, holder_id, holder_group, host, pid, acquired_at, renewed_at, expires_at, {_now} FROM {Table} WHERE study_id = @study";
        Add(command, "study", studyId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new LeaseRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8))
            : null;
    }

    /// <summary>
    /// For a SQLite journal: why the file at the journal's path is no longer the one this holder writes (deleted, or
    /// another file put in its place), or null while it is, or on PostgreSQL. An engine's pooled connections go on
    /// writing to a deleted file without an error, so the path is looked at through a connection of its own that
    /// creates nothing: its lease row must be there, just renewed by this holder.
    /// </summary>
    public string? JournalFileGone(string studyId, string holderId)
    {
        if (_journal.SqliteFile is not { } file)
        {
            return null;
        }

        var path = Path.GetFullPath(file);
        var gone = $"{JournalGonePrefix}{path} was deleted or replaced while the study ran";
        if (!File.Exists(path))
        {
            return gone;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5 }.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT holder_id FROM {Table} WHERE study_id = @study";
            Add(command, "study", studyId);
            return string.Equals(command.ExecuteScalar() as string, holderId, StringComparison.Ordinal) ? null : gone;
        }
        catch (SqliteException error) when (error.SqliteErrorCode is SqliteNoSuchTable or SqliteCannotOpen or SqliteNotADatabase)
        {
            return gone;
        }
    }

    /// <summary>How every reason <see cref="JournalFileGone"/> gives begins.</summary>
    public const string JournalGonePrefix = "its journal ";

    // SQLITE_ERROR (a file without the lease table: a new one), SQLITE_CANTOPEN (gone since it was looked at), SQLITE_NOTADB.
    private const int SqliteNoSuchTable = 1;
    private const int SqliteCannotOpen = 14;
    private const int SqliteNotADatabase = 26;

    private int Execute(string sql, Action<DbCommand> parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        parameters(command);
        return command.ExecuteNonQuery();
    }

    private DbConnection Open() => _journal.OpenConnection();

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
