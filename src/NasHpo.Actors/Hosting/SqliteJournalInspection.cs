using Microsoft.Data.Sqlite;

namespace NasHpo.Actors.Hosting;

/// <summary>
/// Looks at an existing SQLite file before the engine or the read side touches it, so that a file that cannot hold a
/// NasHpo journal is one line naming it, never a failure deep inside Akka: an empty file or a device with no journal
/// (/dev/null, for the commands that only read), another program's table named <c>journal</c>, a damaged file (SQLite's
/// <c>quick_check</c>), each said with what could still be read.
/// </summary>
internal static class SqliteJournalInspection
{
    // Akka.Persistence.Sql's journal columns that NasHpo reads (its default SQLite schema has more).
    private static readonly string[] JournalColumns = ["persistence_id", "sequence_number", "message", "manifest", "ordering"];

    /// <summary>Throws <see cref="DatabaseUnavailableException"/> when the file is no usable journal.</summary>
    /// <param name="mustHaveJournal">true for the commands that read (a file without a journal is then an error)</param>
    public static void Check(string path, bool mustHaveJournal)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString;
        using var connection = new SqliteConnection(connectionString);
        List<string> tables;
        try
        {
            connection.Open();
            tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        }
        catch (SqliteException error)
        {
            throw new DatabaseUnavailableException($"cannot read database {path}: {Reason(error)}; nothing in it is readable", error);
        }

        if (!tables.Contains("journal", StringComparer.OrdinalIgnoreCase))
        {
            // An empty file is an empty journal (no studies); a device such as /dev/null cannot become one, and the
            // read side would fail creating its tables there. (.NET tells no file types apart: /dev/ says it.)
            var full = Path.GetFullPath(path);
            if (mustHaveJournal && tables.Count == 0 && full.StartsWith("/dev/", StringComparison.Ordinal) && !full.StartsWith("/dev/shm/", StringComparison.Ordinal))
            {
                throw new DatabaseUnavailableException($"no journal in database {path}: a device holds no tables and cannot hold a journal");
            }

            // The lease table alone (an engine refused before its first write) is still an empty NasHpo journal.
            if (mustHaveJournal && tables.Any(t => !t.StartsWith("nashpo_", StringComparison.Ordinal) && !t.StartsWith("sqlite_", StringComparison.Ordinal)))
            {
                throw new DatabaseUnavailableException($"no journal in database {path}: it is not a NasHpo journal (its tables: {string.Join(", ", tables.Take(10))})");
            }

            return;
        }

        var columns = Strings(connection, "SELECT name FROM pragma_table_info('journal')");
        var missing = JournalColumns.Where(c => !columns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length > 0)
        {
            throw new DatabaseUnavailableException(
                $"database {path} is not a NasHpo journal: its table \"journal\" has the columns {string.Join(", ", columns)}, not {string.Join(", ", missing)} (another program's database? pass another --db)");
        }

        string problem;
        try
        {
            var check = Strings(connection, "PRAGMA quick_check(1)");
            if (check is ["ok"])
            {
                return;
            }

            problem = string.Join(" ", check).Replace("*** in database main ***", string.Empty, StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
        }
        catch (SqliteException error)
        {
            problem = Reason(error);
        }

        throw new DatabaseUnavailableException($"database {path} is damaged ({problem}); readable: {Readable(connection)}; nothing was written to it (sqlite3's .recover may save what is left)");
    }

    /// <summary>What can still be read of a damaged journal: its studies and its number of events.</summary>
    private static string Readable(SqliteConnection connection)
    {
        var parts = new List<string>();
        try
        {
            var studies = Strings(connection, "SELECT DISTINCT substr(persistence_id, 7) FROM journal WHERE persistence_id LIKE 'study-%' ORDER BY 1");
            parts.Add(studies.Count == 0 ? "no study" : $"{studies.Count} stud{(studies.Count == 1 ? "y" : "ies")} ({string.Join(", ", studies.Take(5))}{(studies.Count > 5 ? ", ..." : string.Empty)})");
        }
        catch (SqliteException)
        {
            parts.Add("not the list of studies");
        }

        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM journal";
            parts.Add($"{command.ExecuteScalar()} events");
        }
        catch (SqliteException)
        {
            parts.Add("not every event");
        }

        return string.Join(", ", parts);
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.IsDBNull(0) ? string.Empty : reader.GetValue(0).ToString() ?? string.Empty);
        }

        return values;
    }

    private static string Reason(SqliteException error) => error.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
