using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace NasHpo.Actors.Hosting;

/// <summary>
/// One row of Akka.Persistence.Sql's journal table: every column as written, except the database's own
/// <c>ordering</c> (a counter over all rows that each database assigns as they arrive). Equal when every column is,
/// the payload byte for byte.
/// </summary>
internal sealed record EventRow(string PersistenceId, long SequenceNr, long Created, bool Deleted, byte[] Message, string? Manifest, int? SerializerId, string? WriterUuid)
{
    public bool Equals(EventRow? other) =>
        other is not null && PersistenceId == other.PersistenceId && SequenceNr == other.SequenceNr && Created == other.Created
        && Deleted == other.Deleted && Message.AsSpan().SequenceEqual(other.Message) && Manifest == other.Manifest
        && SerializerId == other.SerializerId && WriterUuid == other.WriterUuid;

    public override int GetHashCode() => HashCode.Combine(PersistenceId, SequenceNr, Message.Length);
}

/// <summary>One row of Akka.Persistence.Sql's snapshot table, every column as written; equal when every column is.</summary>
internal sealed record SnapshotRow(string PersistenceId, long SequenceNr, long Created, byte[]? Snapshot, string? Manifest, int? SerializerId)
{
    public bool Equals(SnapshotRow? other) =>
        other is not null && PersistenceId == other.PersistenceId && SequenceNr == other.SequenceNr && Created == other.Created
        && (Snapshot ?? []).AsSpan().SequenceEqual(other.Snapshot ?? []) && (Snapshot is null) == (other.Snapshot is null)
        && Manifest == other.Manifest && SerializerId == other.SerializerId;

    public override int GetHashCode() => HashCode.Combine(PersistenceId, SequenceNr);
}

/// <summary>How many rows one database holds of a study: events per persistence id, and snapshots.</summary>
internal sealed record StudyRowCount(IReadOnlyDictionary<string, long> EventsPerPersistenceId, long Snapshots)
{
    public long Events => EventsPerPersistenceId.Values.Sum();

    public bool Empty => Events == 0 && Snapshots == 0;
}

/// <summary>
/// A study's rows in one database's journal and snapshot tables, read and written with ADO.NET below Akka, for
/// <c>nashpo copy</c>. Rows rather than events: a row copied column by column keeps its payload's bytes, its manifest
/// and serializer id, its timestamp and writer exactly as the source has them, whatever version of NasHpo wrote them
/// (an event deserialized and persisted again would be serialized anew: an older manifest upgraded, a field this
/// build does not know dropped); and rows can be written in one transaction, which persisting through actors cannot.
/// Both databases have the same columns (Akka.Persistence.Sql creates them), under the default table names that
/// hocon/persistence.*.conf keep. The <c>tags</c> table is not copied: NasHpo tags no event.
/// </summary>
internal sealed partial class StudyRows
{
    private const string EventColumns = "persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid";
    private const string SnapshotColumns = "persistence_id, sequence_number, created, snapshot, manifest, serializer_id";
    private static readonly string[] Tables = ["journal", "snapshot"];

    // The ledger, the sampler and the archive by name, and bracket journals by pattern, refined by IsOfStudy: LIKE
    // ignores case on SQLite, and '_' (allowed in study ids) is one of its wildcards unless escaped.
    private const string OfStudy = "(persistence_id IN (@ledger, @sampler, @archive) OR persistence_id LIKE @brackets ESCAPE '\\')";

    private readonly JournalSettings _journal;
    private readonly string[] _named;
    private readonly Regex _bracket;

    /// <param name="journal">the database; for writing, the writer's settings (<see cref="JournalSettings.ForWriter"/>),
    /// so that PostgreSQL's lease fence knows the connection</param>
    public StudyRows(JournalSettings journal, string studyId)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentException.ThrowIfNullOrEmpty(studyId);
        _journal = journal;
        StudyId = studyId;
        _named = [.. ReadSide.JournalVerifier.PersistenceIdsOf(studyId)];
        _bracket = new Regex($"^bracket-{Regex.Escape(studyId)}-[0-9]+$", RegexOptions.CultureInvariant);
    }

    public string StudyId { get; }

    /// <summary>
    /// Whether a persistence id is the study's: its ledger, sampler or archive, or a bracket's
    /// ("bracket-{id}-{k}"). No bracket persists anything today, but the lease fence counts them as the study's, so a
    /// journal that has them keeps them in a copy.
    /// </summary>
    public bool IsOfStudy(string persistenceId) => _named.Contains(persistenceId, StringComparer.Ordinal) || _bracket.IsMatch(persistenceId);

    /// <summary>The study's rows in this database, counted.</summary>
    public StudyRowCount Count()
    {
        using var connection = _journal.OpenConnection();
        return Count(connection, null);
    }

    /// <summary>
    /// The study's events, one at a time, in the order this database received them (its <c>ordering</c>), which keeps
    /// each persistence id in sequence order and the persistence ids interleaved as the engine wrote them.
    /// </summary>
    public IEnumerable<EventRow> ReadEvents(CancellationToken cancellation = default)
    {
        using var connection = _journal.OpenConnection();
        if (!TableExists(connection, null, "journal"))
        {
            yield break;
        }

        using var command = Command(connection, null, $"SELECT {EventColumns} FROM journal WHERE {OfStudy} ORDER BY ordering");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellation.ThrowIfCancellationRequested();
            var row = new EventRow(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.GetBoolean(3),
                reader.GetFieldValue<byte[]>(4),
                NullableString(reader, 5),
                NullableInt(reader, 6),
                NullableString(reader, 7));
            if (IsOfStudy(row.PersistenceId))
            {
                yield return row;
            }
        }
    }

    /// <summary>The study's snapshots (the store keeps each persistence id's newest), by persistence id and sequence number.</summary>
    public IReadOnlyList<SnapshotRow> ReadSnapshots()
    {
        using var connection = _journal.OpenConnection();
        if (!TableExists(connection, null, "snapshot"))
        {
            return [];
        }

        using var command = Command(connection, null, $"SELECT {SnapshotColumns} FROM snapshot WHERE {OfStudy}");
        using var reader = command.ExecuteReader();
        var rows = new List<SnapshotRow>();
        while (reader.Read())
        {
            var row = new SnapshotRow(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
                NullableString(reader, 4),
                NullableInt(reader, 5));
            if (IsOfStudy(row.PersistenceId))
            {
                rows.Add(row);
            }
        }

        return rows.OrderBy(r => r.PersistenceId, StringComparer.Ordinal).ThenBy(r => r.SequenceNr).ToArray();
    }

    /// <summary>
    /// Where <paramref name="copy"/>'s rows of the study differ from these, said in one line, or null when they are
    /// the same: the same events of each persistence id under the same sequence numbers, every column equal (the
    /// payload byte for byte), in the same order, and the same snapshots. Both are read one row at a time.
    /// </summary>
    public string? FirstDifference(StudyRows copy, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(copy);
        using (var original = ReadEvents(cancellation).GetEnumerator())
        using (var copied = copy.ReadEvents(cancellation).GetEnumerator())
        {
            while (true)
            {
                var more = original.MoveNext();
                var moreCopied = copied.MoveNext();
                if (!more && !moreCopied)
                {
                    break;
                }

                if (!moreCopied)
                {
                    return $"the copy lacks {Name(original.Current)} and what follows";
                }

                if (!more)
                {
                    return $"the copy has {Name(copied.Current)}, which the original lacks";
                }

                if (!original.Current.Equals(copied.Current))
                {
                    return original.Current.PersistenceId == copied.Current.PersistenceId && original.Current.SequenceNr == copied.Current.SequenceNr
                        ? $"{Name(original.Current)} differs in the copy"
                        : $"the copy has {Name(copied.Current)} where the original has {Name(original.Current)}";
                }
            }
        }

        var snapshots = ReadSnapshots();
        var copiedSnapshots = copy.ReadSnapshots();
        return snapshots.SequenceEqual(copiedSnapshots)
            ? null
            : $"the snapshots differ (original: {Describe(snapshots)}; copy: {Describe(copiedSnapshots)})";

        static string Name(EventRow row) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{row.PersistenceId} event {row.SequenceNr}");
        static string Describe(IReadOnlyList<SnapshotRow> rows) =>
            rows.Count == 0 ? "none" : string.Join(", ", rows.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{r.PersistenceId} at {r.SequenceNr}")));
    }

    /// <summary>
    /// Starts writing the study into this database: one transaction (on SQLite one that holds the write lock from
    /// the start), in which <see cref="StudyRowWriter.Existing"/> counts what the database already holds of it.
    /// Nothing is visible to others until <see cref="StudyRowWriter.Commit"/>.
    /// </summary>
    public StudyRowWriter BeginWrite()
    {
        var connection = _journal.OpenConnection();
        try
        {
            var transaction = connection.BeginTransaction();
            return new StudyRowWriter(connection, transaction, Count(connection, transaction));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Deletes every row of the study, events and snapshots, in one transaction; returns how many events went.</summary>
    public long Delete()
    {
        using var connection = _journal.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var count = Count(connection, transaction);
        var persistenceIds = count.EventsPerPersistenceId.Keys.Concat(_named).Distinct(StringComparer.Ordinal);
        string[] tables = [.. Tables.Where(t => TableExists(connection, transaction, t))];
        foreach (var persistenceId in persistenceIds)
        {
            foreach (var table in tables)
            {
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = $"DELETE FROM {table} WHERE persistence_id = @id";
                Add(delete, "id", persistenceId);
                delete.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return count.Events;
    }

    private StudyRowCount Count(DbConnection connection, DbTransaction? transaction)
    {
        var events = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var snapshots = 0L;
        if (!TableExists(connection, transaction, "journal"))
        {
            return new StudyRowCount(events, snapshots);
        }

        using (var command = Command(connection, transaction, $"SELECT persistence_id, count(*) FROM journal WHERE {OfStudy} GROUP BY persistence_id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (IsOfStudy(reader.GetString(0)))
                {
                    events[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
        }

        if (!TableExists(connection, transaction, "snapshot"))
        {
            return new StudyRowCount(events, snapshots);
        }

        using (var command = Command(connection, transaction, $"SELECT persistence_id FROM snapshot WHERE {OfStudy}"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                snapshots += IsOfStudy(reader.GetString(0)) ? 1 : 0;
            }
        }

        return new StudyRowCount(events, snapshots);
    }

    /// <summary>
    /// Whether the table is there yet: Akka.Persistence.Sql creates the journal's when its journal starts and the
    /// snapshots' when its snapshot store first starts, so a database an engine has only begun to use (or whose
    /// actors never snapshotted) may lack either, which means no rows.
    /// </summary>
    private bool TableExists(DbConnection connection, DbTransaction? transaction, string table)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _journal.Kind == JournalKind.Sqlite
            ? "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = @table"
            : "SELECT to_regclass(@table) IS NOT NULL";
        Add(command, "table", table);
        return Convert.ToBoolean(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A command selecting the study's rows: the parameters of <see cref="OfStudy"/> bound.</summary>
    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Add(command, "ledger", _named[0]);
        Add(command, "sampler", _named[1]);
        Add(command, "archive", _named[2]);
        Add(command, "brackets", "bracket-" + LikeWildcards().Replace(StudyId, @"\$0") + "-%");
        return command;
    }

    internal static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static string? NullableString(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    // SQLite hands integers back as 64-bit, PostgreSQL this column as 32-bit.
    private static int? NullableInt(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Convert.ToInt32(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"[\\%_]")]
    private static partial Regex LikeWildcards();
}

/// <summary>
/// A study being written into a database in one transaction (<see cref="StudyRows.BeginWrite"/>): disposed without
/// <see cref="Commit"/>, it rolls back and leaves nothing; so does a process killed before the commit.
/// </summary>
internal sealed class StudyRowWriter : IDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private bool _committed;

    internal StudyRowWriter(DbConnection connection, DbTransaction transaction, StudyRowCount existing)
    {
        _connection = connection;
        _transaction = transaction;
        Existing = existing;
    }

    /// <summary>What the database held of the study when the transaction began.</summary>
    public StudyRowCount Existing { get; }

    /// <summary>
    /// Writes the events in the order given (each database numbers them anew in its <c>ordering</c>);
    /// <paramref name="written"/> is told the running count every <paramref name="every"/> events. Returns the count.
    /// PostgreSQL takes them by binary COPY (its insert triggers, the lease fence among them, still fire), SQLite by
    /// one prepared insert.
    /// </summary>
    public long WriteEvents(IEnumerable<EventRow> events, int every, Action<long> written, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(written);
        var count = 0L;
        void Counted()
        {
            if (++count % every == 0)
            {
                written(count);
            }
        }

        if (_connection is NpgsqlConnection postgres)
        {
            using var import = postgres.BeginBinaryImport("COPY journal (persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid) FROM STDIN (FORMAT BINARY)");
            foreach (var row in events)
            {
                cancellation.ThrowIfCancellationRequested();
                import.StartRow();
                import.Write(row.PersistenceId, NpgsqlDbType.Text);
                import.Write(row.SequenceNr, NpgsqlDbType.Bigint);
                import.Write(row.Created, NpgsqlDbType.Bigint);
                import.Write(row.Deleted, NpgsqlDbType.Boolean);
                import.Write(row.Message, NpgsqlDbType.Bytea);
                WriteText(import, row.Manifest);
                if (row.SerializerId is { } serializerId)
                {
                    import.Write(serializerId, NpgsqlDbType.Integer);
                }
                else
                {
                    import.WriteNull();
                }

                WriteText(import, row.WriterUuid);
                Counted();
            }

            import.Complete();
            return count;
        }

        using var insert = _connection.CreateCommand();
        insert.Transaction = _transaction;
        insert.CommandText = "INSERT INTO journal (persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid) " +
            "VALUES (@persistence_id, @sequence_number, @created, @deleted, @message, @manifest, @identifier, @writer_uuid)";
        string[] names = ["persistence_id", "sequence_number", "created", "deleted", "message", "manifest", "identifier", "writer_uuid"];
        foreach (var name in names)
        {
            StudyRows.Add(insert, name, null);
        }

        insert.Prepare();
        foreach (var row in events)
        {
            cancellation.ThrowIfCancellationRequested();
            object?[] values = [row.PersistenceId, row.SequenceNr, row.Created, row.Deleted, row.Message, row.Manifest, row.SerializerId, row.WriterUuid];
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
            Counted();
        }

        return count;
    }

    /// <summary>Writes snapshot rows as they are (after <see cref="WriteEvents"/>: a COPY holds the connection until it ends).</summary>
    public void WriteSnapshots(IEnumerable<SnapshotRow> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var row in snapshots)
        {
            using var insert = _connection.CreateCommand();
            insert.Transaction = _transaction;
            insert.CommandText = "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) " +
                "VALUES (@persistence_id, @sequence_number, @created, @snapshot, @manifest, @serializer_id)";
            StudyRows.Add(insert, "persistence_id", row.PersistenceId);
            StudyRows.Add(insert, "sequence_number", row.SequenceNr);
            StudyRows.Add(insert, "created", row.Created);
            StudyRows.Add(insert, "snapshot", row.Snapshot);
            StudyRows.Add(insert, "manifest", row.Manifest);
            StudyRows.Add(insert, "serializer_id", row.SerializerId);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Makes everything written visible at once.</summary>
    public void Commit()
    {
        _transaction.Commit();
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed)
        {
            try
            {
                _transaction.Rollback();
            }
#pragma warning disable CA1031 // The connection is already broken: the server rolls back what it never committed.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        _transaction.Dispose();
        _connection.Dispose();
    }

    private static void WriteText(NpgsqlBinaryImporter import, string? value)
    {
        if (value is null)
        {
            import.WriteNull();
        }
        else
        {
            import.Write(value, NpgsqlDbType.Text);
        }
    }
}
