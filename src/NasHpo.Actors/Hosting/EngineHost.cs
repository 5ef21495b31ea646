using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Hosting;

/// <summary>The database cannot be opened or written; the message names the path and the reason.</summary>
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    public DatabaseUnavailableException()
    {
    }
}

/// <summary>
/// One process's engine: the actor system with NasHpo's configuration, the SQLite journal, the device pool and the
/// study manager. Configuration layers, highest first: the caller's overrides, hocon/nashpo.conf and
/// hocon/persistence.sqlite.conf (embedded in this assembly), then Akka.Persistence.Sql's defaults.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private EngineHost(ActorSystem system, string databasePath)
    {
        System = system;
        DatabasePath = databasePath;
    }

    public ActorSystem System { get; }

    /// <summary>"/user/studies", once <see cref="StartEngine"/> ran.</summary>
    public IActorRef? Studies { get; private set; }

    /// <summary>"/user/devices", once <see cref="StartEngine"/> ran.</summary>
    public IActorRef? Devices { get; private set; }

    public string DatabasePath { get; }

    /// <summary>The embedded engine defaults and SQLite persistence, pointed at one database file.</summary>
    public static Config BaseConfig(string databasePath)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ConnectionString;
        var quoted = "\"" + connection.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var database = ConfigurationFactory.ParseString(
            $"akka.persistence.journal.sql.connection-string = {quoted}\n" +
            $"akka.persistence.snapshot-store.sql.connection-string = {quoted}\n" +
            $"akka.persistence.query.journal.sql.connection-string = {quoted}\n");
        return database
            .WithFallback(ConfigurationFactory.ParseString(ReadResource("nashpo.conf")))
            .WithFallback(ConfigurationFactory.ParseString(ReadResource("persistence.sqlite.conf")))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Creates the database file if needed and checks it can be written, before any actor touches it.</summary>
    public static void PrepareDatabase(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DatabaseUnavailableException($"cannot use database {databasePath}: directory {directory} does not exist");
        }

        // WAL lets readers (status, report) work while a study writes; it is a property of the file.
        Probe(databasePath, SqliteOpenMode.ReadWriteCreate, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS nashpo_probe(x); DROP TABLE nashpo_probe;", "write");
    }

    /// <summary>
    /// Checks that an existing file is a readable SQLite database without creating or changing anything: a file
    /// that is not one would otherwise surface as a query timeout inside the actor system.
    /// </summary>
    public static void CheckExistingDatabase(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            throw new DatabaseUnavailableException($"no database at {databasePath} (pass --db PATH, or run a study first)");
        }

        Probe(databasePath, SqliteOpenMode.ReadWrite, "SELECT count(*) FROM sqlite_master", "read");
    }

    private static void Probe(string databasePath, SqliteOpenMode mode, string sql, string verb)
    {
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(databasePath), Mode = mode, Pooling = false }.ConnectionString;
            using var sqlite = new SqliteConnection(connection);
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        catch (SqliteException error)
        {
            throw new DatabaseUnavailableException($"cannot {verb} database {databasePath}: {error.Message.ReplaceLineEndings(" ")}", error);
        }
    }

    /// <summary>Starts the actor system on the database; call <see cref="StartEngine"/> to run studies.</summary>
    public static EngineHost Create(string databasePath, Config? overrides = null, string systemName = "nashpo")
    {
        PrepareDatabase(databasePath);
        var config = overrides is null ? BaseConfig(databasePath) : overrides.WithFallback(BaseConfig(databasePath));
        return new EngineHost(ActorSystem.Create(systemName, config), databasePath);
    }

    /// <summary>
    /// Starts the device pool (this many CPU slots) and the study manager. <paramref name="workloads"/> turns a
    /// definition into what its trials run (default: the workload catalogue; tests pass their own).
    /// </summary>
    public IActorRef StartEngine(int devices, Func<StudyDefinition, IWorkload>? workloads = null) =>
        StartEngine(DevicePool.CpuDevices(devices), workloads);

    /// <summary>Starts the device pool with these devices ("cpu-0", "cuda-0", …) and the study manager.</summary>
    public IActorRef StartEngine(IReadOnlyList<string> devices, Func<StudyDefinition, IWorkload>? workloads = null)
    {
        if (Studies is not null)
        {
            throw new InvalidOperationException("the engine is already started");
        }

        var settings = EngineSettings.From(System.Settings.Config);
        Devices = System.ActorOf(DevicePool.Props(devices), "devices");
        var environment = new StudyEnvironment(Devices, settings, StudyDefinitionReader.FromHocon, workloads ?? WorkloadCatalog.Create, DatabasePath);
        Studies = System.ActorOf(StudyManager.Props(environment), "studies");
        return Studies;
    }

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded configuration {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
