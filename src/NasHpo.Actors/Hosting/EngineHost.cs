using Akka.Actor;
using Akka.Configuration;
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
/// SQLite or PostgreSQL), the node's devices, their pool and the study manager. Configuration layers, highest first
/// (<see cref="EngineConfiguration"/>): the caller's overrides, the journal's connection and
/// hocon/persistence.{sqlite,postgresql}.conf, hocon/nashpo.conf (both embedded in this assembly), then
/// Akka.Persistence.Sql's defaults.
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private EngineHost(ActorSystem system, JournalSettings journal)
    {
        System = system;
        Journal = journal;
        var configured = system.Settings.Config.GetString("nashpo.checkpoints.directory");
        CheckpointDirectory = string.IsNullOrWhiteSpace(configured) ? journal.DefaultCheckpointDirectory : Path.GetFullPath(configured);
    }

    public ActorSystem System { get; }

    /// <summary>"/user/studies", once <see cref="StartEngine(int, Func{StudyDefinition, IWorkload}?)"/> ran.</summary>
    public IActorRef? Studies { get; private set; }

    /// <summary>
    /// The device pool ("/user/device-pool", leasing the devices of "/user/devices"), once
    /// <see cref="StartEngine(int, Func{StudyDefinition, IWorkload}?)"/> ran.
    /// </summary>
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
        return new EngineConfiguration { Journal = journal }.Compose();
    }

    /// <summary><see cref="BaseConfig(JournalSettings)"/> for a <c>--db</c> value (a SQLite path or a PostgreSQL address).</summary>
    public static Config BaseConfig(string database) => BaseConfig(JournalSettings.Parse(database));

    /// <summary>Starts the actor system on the journal (checked first); call StartEngine to run studies.</summary>
    public static EngineHost Create(JournalSettings journal, Config? overrides = null, string systemName = "nashpo")
    {
        ArgumentNullException.ThrowIfNull(journal);
        journal.Prepare();
        var config = new EngineConfiguration { Journal = journal, Overrides = overrides }.Compose();
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
        StartEngine(NodeDevices.CpuDevices(devices), workloads);

    /// <summary>Starts the device pool with these devices ("cpu-0", "cuda-0", …) and the study manager.</summary>
    public IActorRef StartEngine(IReadOnlyList<string> devices, Func<StudyDefinition, IWorkload>? workloads = null)
    {
        if (Studies is not null)
        {
            throw new InvalidOperationException("the engine is already started");
        }

        var settings = EngineSettings.From(System.Settings.Config);
        var nodeDevices = System.ActorOf(NodeDevices.Props(devices), "devices");
        Devices = System.ActorOf(DevicePool.Props(nodeDevices), "device-pool");
        var environment = new StudyEnvironment(Devices, settings, StudyDefinitionReader.FromHocon, workloads ?? WorkloadCatalog.Create, CheckpointDirectory);
        Studies = System.ActorOf(StudyManager.Props(environment), "studies");
        return Studies;
    }

    /// <summary>
    /// Completes with the study's final status when it finishes, handing every status on the way to
    /// <paramref name="progress"/> (called on an engine thread, in order: keep it short). Nothing polls: the study
    /// pushes its status while it changes. The study must be running on this engine (<see cref="StartStudy"/>);
    /// cancelling stops the watching, not the study.
    /// </summary>
    public async Task<StudyStatus> WatchStudyAsync(string studyId, IProgress<StudyStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        var studies = Studies ?? throw new InvalidOperationException("the engine is not started (call StartEngine first)");
        var done = new TaskCompletionSource<StudyStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var renewAfter = EngineSettings.From(System.Settings.Config).StatusInterval * 8;
        var watcher = System.ActorOf(StudyWatcher.Props(studies, studyId, progress, done, renewAfter));
        await using (cancellationToken.Register(() =>
        {
            done.TrySetCanceled(cancellationToken);
            System.Stop(watcher);
        }))
        {
            return await done.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts a study (a new one from <paramref name="definition"/>, or, with null, the journal's study of that id)
    /// and completes with its final status when it finishes; cancelling stops its trials gracefully (they run again
    /// on resume) and throws <see cref="OperationCanceledException"/>. The one way code runs a study to its end.
    /// </summary>
    public async Task<StudyStatus> RunStudyAsync(string studyId, StudyDefinition? definition, IProgress<StudyStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        var studies = Studies ?? throw new InvalidOperationException("the engine is not started (call StartEngine first)");
        await studies.Ask<StudyStarting>(new StartStudy(studyId, definition), StartOrStopTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return await WatchStudyAsync(studyId, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await studies.Ask<StudyStopped>(new StopStudy(studyId), StartOrStopTimeout, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starting a study recovers its journals and, the first time, compiles the actors' code paths: on a loaded
    /// machine that can take many seconds.
    /// </summary>
    internal static TimeSpan StartOrStopTimeout { get; } = TimeSpan.FromSeconds(60);

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
