using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NasHpo.Actors.Hosting;

/// <summary>Which database holds the journal.</summary>
internal enum JournalKind
{
    /// <summary>One SQLite file: the single-machine default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, which several processes (cluster nodes) can share.</summary>
    PostgreSql,
}

/// <summary>
/// The one place that chooses the journal: a process's journal, snapshot store and read side all come from one of
/// these, built from what the user passed as <c>--db</c> (a SQLite file, <c>postgresql://user@host:port/database</c>,
/// or an Npgsql connection string such as <c>Host=...;Database=...</c>). It knows the Akka configuration for each
/// database, how to check the database before any actor touches it, and where checkpoints go by default.
/// </summary>
internal sealed partial class JournalSettings
{
    private JournalSettings(JournalKind kind, string connectionString, string display, string? sqliteFile)
    {
        Kind = kind;
        ConnectionString = connectionString;
        Display = display;
        SqliteFile = sqliteFile;
    }

    public JournalKind Kind { get; }

    /// <summary>The ADO.NET connection string that Akka.Persistence.Sql (through Linq2Db) opens.</summary>
    public string ConnectionString { get; }

    /// <summary>How messages name the database: the file path as given, or a PostgreSQL address without its password.</summary>
    public string Display { get; }

    /// <summary>The SQLite file, as given; null for PostgreSQL.</summary>
    public string? SqliteFile { get; }

    /// <summary>
    /// Where training checkpoints go when nothing else says: next to a SQLite file ("{file}.checkpoints"). A
    /// PostgreSQL server has no "next to": null, and a training study then needs a directory of its own.
    /// </summary>
    public string? DefaultCheckpointDirectory => SqliteFile is null ? null : Path.GetFullPath(SqliteFile) + ".checkpoints";

    public override string ToString() => Display;

    /// <summary>True when <paramref name="database"/> names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool IsPostgreSql(string database) =>
        database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || NpgsqlKeyword().IsMatch(database);

    /// <summary>
    /// A <c>--db</c> value: a PostgreSQL URI or connection string, else a SQLite file path. Throws
    /// <see cref="ArgumentException"/> with a one-line reason for a PostgreSQL address that cannot be read.
    /// </summary>
    public static JournalSettings Parse(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        if (!IsPostgreSql(database))
        {
            return Sqlite(database);
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = database.Contains("://", StringComparison.Ordinal) ? FromUri(database) : new NpgsqlConnectionStringBuilder(database);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The reason only: the value may hold a password.
            throw new ArgumentException($"not a valid PostgreSQL address: {error.Message.ReplaceLineEndings(" ")}", nameof(database), error);
        }

        return PostgreSql(builder);
    }

    public static JournalSettings Sqlite(string path)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString;
        return new JournalSettings(JournalKind.Sqlite, connection, path, path);
    }

    public static JournalSettings PostgreSql(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException("not a valid PostgreSQL address: it names no host", nameof(builder));
        }

        return new JournalSettings(JournalKind.PostgreSql, builder.ConnectionString, DisplayOf(builder), null);
    }

    /// <summary>
    /// The persistence part of the configuration: the embedded persistence.sqlite.conf or persistence.postgresql.conf
    /// with its three connection strings pointed at this database. Callers add Akka.Persistence.Sql's defaults below it.
    /// </summary>
    public Config ToConfig()
    {
        var quoted = Quote(ConnectionString);
        var connection = ConfigurationFactory.ParseString(
            $"akka.persistence.journal.sql.connection-string = {quoted}\n" +
            $"akka.persistence.snapshot-store.sql.connection-string = {quoted}\n" +
            $"akka.persistence.query.journal.sql.connection-string = {quoted}\n");
        var file = Kind == JournalKind.Sqlite ? "persistence.sqlite.conf" : "persistence.postgresql.conf";
        return connection.WithFallback(ConfigurationFactory.ParseString(ReadResource(file)));
    }

    /// <summary>
    /// Whether <paramref name="other"/> names this same database by its address: the same SQLite file (after links
    /// are followed), or the same host, port and database name of a PostgreSQL server. Two addresses of one server
    /// (localhost and 127.0.0.1) are not recognized here; <c>nashpo copy</c> catches those through its lease.
    /// </summary>
    public bool SameAddressAs(JournalSettings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Kind != other.Kind)
        {
            return false;
        }

        if (Kind == JournalKind.Sqlite)
        {
            return string.Equals(ResolvedFile(SqliteFile!), ResolvedFile(other.SqliteFile!), StringComparison.Ordinal);
        }

        var mine = new NpgsqlConnectionStringBuilder(ConnectionString);
        var theirs = new NpgsqlConnectionStringBuilder(other.ConnectionString);
        return string.Equals(mine.Host, theirs.Host, StringComparison.OrdinalIgnoreCase) && mine.Port == theirs.Port
            && string.Equals(mine.Database ?? mine.Username, theirs.Database ?? theirs.Username, StringComparison.Ordinal);

        static string ResolvedFile(string path)
        {
            var full = Path.GetFullPath(path);
            return File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        }
    }

    /// <summary>
    /// Checks, before any actor touches it, that the journal can be written: creates a SQLite file (in WAL mode) if
    /// needed; connects to a PostgreSQL server and checks the user may write the journal or create its tables.
    /// </summary>
    public void Prepare()
    {
        if (Kind == JournalKind.Sqlite)
        {
            PrepareSqlite(SqliteFile!);
            return;
        }

        var allowed = PostgreSqlScalar(
            "SELECT CASE WHEN to_regclass('journal') IS NULL THEN coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) " +
            "ELSE has_table_privilege('journal', 'INSERT') END");
        if (allowed is not true)
        {
            throw new DatabaseUnavailableException($"cannot write database {Display}: the user may neither write a journal table nor create one in its schema");
        }
    }

    /// <summary>
    /// Checks that the journal exists and can be read, without creating or changing anything, for the commands that
    /// only read (a missing journal would otherwise surface as a query failure inside the actor system).
    /// </summary>
    public void CheckExisting()
    {
        if (Kind == JournalKind.Sqlite)
        {
            CheckExistingSqlite(SqliteFile!);
            return;
        }

        if (PostgreSqlScalar("SELECT to_regclass('journal') IS NOT NULL") is not true)
        {
            throw new DatabaseUnavailableException($"no journal in database {Display} (run a study there first)");
        }
    }

    private static void PrepareSqlite(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DatabaseUnavailableException($"cannot use database {path}: directory {directory} does not exist");
        }

        // WAL lets readers (status, report) work while a study writes; it is a property of the file.
        // An existing file is looked at first, read-only: a damaged or foreign one is refused before the probe writes.
        if (File.Exists(path))
        {
            SqliteJournalInspection.Check(path, mustHaveJournal: false);
        }

        ProbeSqlite(path, SqliteOpenMode.ReadWriteCreate, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS nashpo_probe(x); DROP TABLE nashpo_probe;", "write");
    }

    private static void CheckExistingSqlite(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatabaseUnavailableException($"no database at {path} (pass --db PATH, or run a study first)");
        }

        ProbeSqlite(path, SqliteOpenMode.ReadWrite, "SELECT count(*) FROM sqlite_master", "read");
        SqliteJournalInspection.Check(path, mustHaveJournal: true);
    }

    private static void ProbeSqlite(string path, SqliteOpenMode mode, string sql, string verb)
    {
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = mode, Pooling = false }.ConnectionString;
            using var sqlite = new SqliteConnection(connection);
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        catch (SqliteException error)
        {
            throw new DatabaseUnavailableException($"cannot {verb} database {path}: {error.Message.ReplaceLineEndings(" ")}", error);
        }
    }

    /// <summary>
    /// An open ADO.NET connection to this database, for the tables NasHpo reads and writes itself (the study leases, a
    /// study's rows copied between journals); on SQLite it waits up to 30 s for another writer's lock.
    /// </summary>
    internal DbConnection OpenConnection()
    {
        DbConnection connection = Kind == JournalKind.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = 30 }.ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>One query on a connection of its own (no pool left behind), with connection failures as one line.</summary>
    private object? PostgreSqlScalar(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        try
        {
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }
        catch (PostgresException error)
        {
            // The server answered and refused: wrong password, no such database, no permission.
            throw new DatabaseUnavailableException($"cannot use database {Display}: {error.SqlState}: {error.MessageText.ReplaceLineEndings(" ")}", error);
        }
        catch (Exception error) when (error is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            throw new DatabaseUnavailableException($"cannot reach the PostgreSQL server of {Display}: {Innermost(error)}", error);
        }
    }

    /// <summary>The most specific reason ("Connection refused"), which Npgsql wraps in "Failed to connect to ...".</summary>
    private static string Innermost(Exception error)
    {
        var reasons = new List<string>();
        for (var current = error; current is not null; current = current.InnerException)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !reasons.Contains(message, StringComparer.Ordinal))
            {
                reasons.Add(message);
            }
        }

        return string.Join(": ", reasons);
    }

    /// <summary>
    /// postgresql://[user[:password]@]host[:port][/database][?key=value&amp;...]: libpq's URI form. Query keys are
    /// libpq's names where they differ from Npgsql's (sslmode, connect_timeout, application_name), else Npgsql's.
    /// </summary>
    private static NpgsqlConnectionStringBuilder FromUri(string database)
    {
        var uri = new Uri(database, UriKind.Absolute);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost.Trim('[', ']') };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (path.Length > 0)
        {
            builder.Database = path;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            builder[key.ToLowerInvariant() switch
            {
                "sslmode" => "SSL Mode",
                "connect_timeout" => "Timeout",
                "application_name" => "Application Name",
                _ => key,
            }] = value;
        }

        return builder;
    }

    /// <summary>postgresql://user@host:port/database: enough to find the database again, never the password.</summary>
    private static string DisplayOf(NpgsqlConnectionStringBuilder builder)
    {
        var user = string.IsNullOrEmpty(builder.Username) ? string.Empty : Uri.EscapeDataString(builder.Username) + "@";
        var host = builder.Host!.Contains(':', StringComparison.Ordinal) && !builder.Host.Contains(',', StringComparison.Ordinal) ? $"[{builder.Host}]" : builder.Host;
        var database = string.IsNullOrEmpty(builder.Database) ? string.Empty : "/" + Uri.EscapeDataString(builder.Database);
        return string.Create(CultureInfo.InvariantCulture, $"postgresql://{user}{host}:{builder.Port}{database}");
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    internal static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded configuration {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // An Npgsql connection string names its server with Host= or Server= (a SQLite path practically never does).
    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex NpgsqlKeyword();
}
