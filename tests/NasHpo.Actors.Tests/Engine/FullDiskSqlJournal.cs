using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;
using Microsoft.Data.Sqlite;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>
/// The real SQLite journal on a disk that can be made full: while full, each write of the chosen persistence ids is
/// tried for real on the journal's own file through a connection whose <c>PRAGMA max_page_count</c> is the file's
/// size, and fails with the exception SQLite gives there ("database or disk is full", error 13), as the journal's
/// write fails on a full file system. For machines where a test may not mount a small tmpfs.
/// </summary>
public sealed class FullDiskSqlJournal : SqlWriteJournal
{
    private static readonly object Gate = new();
    private static string? _file;
    private static string _prefix = string.Empty;
    private static int _attempts;

    public FullDiskSqlJournal(Config config)
        : base(config)
    {
    }

    /// <summary>Writes refused since the disk was made full.</summary>
    public static int Attempts
    {
        get
        {
            lock (Gate)
            {
                return _attempts;
            }
        }
    }

    public static void Fill(string databaseFile, string persistenceIdPrefix)
    {
        lock (Gate)
        {
            _file = databaseFile;
            _prefix = persistenceIdPrefix;
            _attempts = 0;
        }
    }

    public static void Free()
    {
        lock (Gate)
        {
            _file = null;
        }
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        lock (Gate)
        {
            if (_file is { } file && writes.Any(w => w.PersistenceId.StartsWith(_prefix, StringComparison.Ordinal)))
            {
                _attempts++;
                return Task.FromException<IImmutableList<Exception>>(WriteOnFullFile(file));
            }
        }

        return base.WriteMessagesAsync(writes, cancellationToken);
    }

    private static SqliteException WriteOnFullFile(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();

        // SQLite raises the limit to the file's size; 16 MiB more than that cannot fit in its free pages. Never kept.
        var limit = Run(connection, transaction, "PRAGMA max_page_count = 1");
        try
        {
            Run(connection, transaction, "CREATE TABLE IF NOT EXISTS full_disk_probe (payload BLOB)");
            Run(connection, transaction, "INSERT INTO full_disk_probe VALUES (zeroblob(16777216))");
        }
        catch (SqliteException full) when (full.SqliteErrorCode == 13)
        {
            return full;
        }
        finally
        {
            try
            {
                transaction.Rollback();
            }
            catch (SqliteException)
            {
                // SQLite rolled the transaction back itself when the disk was full.
            }
        }

        throw new InvalidOperationException($"SQLite wrote past max_page_count ({limit})");
    }

    private static object? Run(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
