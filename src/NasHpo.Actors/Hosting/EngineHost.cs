using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
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
/// One process's engine: the actor system with NasHpo's configuration, the journal (<see cref="JournalSettings"/>:
/// SQLite or PostgreSQL), the device pool and the study manager. Configuration layers, highest first: the caller's
/// overrides, the journal's connection and hocon/persistence.{sqlite,postgresql}.conf, hocon/nashpo.conf (both
/// embedded in this assembly), then Akka.Persistence.Sql's defaults.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private EngineHost(ActorSystem system, JournalSettings journal)
    {
        System = system;
        Journal = journal;
        var configured = system.Settings.Config.GetString("nashpo.checkpoints.directory", string.Empty);
        CheckpointDirectory = string.IsNullOrWhiteSpace(configured) ? journal.DefaultCheckpointDirectory : Path.GetFullPath(configured);
    }

    public ActorSystem System { get; }

    /// <summary>"/user/studies", once <see cref="StartEngine(int, Func{StudyDefinition, IWorkload}?)"/> ran.</summary>
    public IActorRef? Studies { get; private set; }

    /// <summary>"/user/devices", once <see cref="StartEngine(int, Func{StudyDefinition, IWorkload}?)"/> ran.</summary>
    public IActorRef? Devices { get; private set; }

    public JournalSettings Journal { get; }

    /// <summary>
    /// Where studies keep training checkpoints ("{directory}/{study}/"): <c>nashpo.checkpoints.directory</c>, else
    /// next to a SQLite database; null on PostgreSQL without that key (training studies then keep none).
    /// </summary>
    public string? CheckpointDirectory { get; }

    /// <summary>The embedded engine defaults and the journal's persistence, pointed at one SQLite file or PostgreSQL database.</summary>
    public static Config BaseConfig(JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.ToConfig()
            .WithFallback(ConfigurationFactory.ParseString(JournalSettings.ReadResource("nashpo.conf")))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary><see cref="BaseConfig(JournalSettings)"/> for a <c>--db</c> value (a SQLite path or a PostgreSQL address).</summary>
    public static Config BaseConfig(string database) => BaseConfig(JournalSettings.Parse(database));

    /// <summary>Starts the actor system on the journal (checked first); call StartEngine to run studies.</summary>
    public static EngineHost Create(JournalSettings journal, Config? overrides = null, string systemName = "nashpo")
    {
        ArgumentNullException.ThrowIfNull(journal);
        journal.Prepare();
        var config = overrides is null ? BaseConfig(journal) : overrides.WithFallback(BaseConfig(journal));
        return new EngineHost(ActorSystem.Create(systemName, config), journal);
    }

    /// <summary><see cref="Create(JournalSettings, Config?, string)"/> for a <c>--db</c> value.</summary>
    public static EngineHost Create(string database, Config? overrides = null, string systemName = "nashpo") =>
        Create(JournalSettings.Parse(database), overrides, systemName);

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
        var environment = new StudyEnvironment(Devices, settings, StudyDefinitionReader.FromHocon, workloads ?? WorkloadCatalog.Create, CheckpointDirectory);
        Studies = System.ActorOf(StudyManager.Props(environment), "studies");
        return Studies;
    }

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
