using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Cluster;

/// <summary>How `nashpo serve` starts a node; null fields leave hocon/cluster.conf's (or --set's) value.</summary>
internal sealed record ClusterNodeOptions
{
    public const string Coordinator = "coordinator";
    public const string Trainer = "trainer";

    /// <summary>"coordinator", "trainer", or both.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    public string? Hostname { get; init; }

    public int? Port { get; init; }

    /// <summary>Addresses to join (akka.tcp://nashpo@HOST:PORT); null keeps the configured list.</summary>
    public IReadOnlyList<string>? SeedNodes { get; init; }

    /// <summary>This node's devices ("cpu-0", "cuda-0"); their cluster names get the node's address appended.</summary>
    public IReadOnlyList<string> Devices { get; init; } = ["cpu-0"];

    /// <summary>The journal's database (coordinators only write it; every node may read it).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>`--set` overrides, above cluster.conf.</summary>
    public Config? Overrides { get; init; }

    /// <summary>The node serves the dashboard (<c>--http</c>): its journal queries follow studies as they change.</summary>
    public bool LiveQueries { get; init; }

    /// <summary>Tests pass their own workloads; default: the workload catalogue.</summary>
    public Func<StudyDefinition, IWorkload>? Workloads { get; init; }
}

/// <summary>
/// One process of a NasHpo cluster: an actor system that joins the cluster and, by role, hosts the coordinator
/// singleton (study manager and cluster device pool) with the client gateway, or the node's devices with their
/// announcer, or both. The journal is whatever the configuration names (the shared SQLite file by default), so
/// switching to a server database is configuration only.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    public const string SystemName = "nashpo";
    private const string SingletonManagerName = "studies";

    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _leaveTimeout;
    private IActorRef? _announcer;
    private IActorRef? _devices;
    private PortableExecutions? _portable;
    private StudyLeases? _leases;

    private ClusterNode(ActorSystem system, ClusterNodeOptions options)
    {
        System = system;
        Options = options;
        _log = Logging.GetLogger(system, "nashpo.cluster");
        _leaveTimeout = system.Settings.Config.GetTimeSpan("nashpo.cluster.leave-timeout");
    }

    public ActorSystem System { get; }

    public ClusterNodeOptions Options { get; }

    /// <summary>This node's address as the cluster knows it (with the port actually bound).</summary>
    public Akka.Actor.Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>The coordinator singleton, through a proxy that finds it wherever it runs.</summary>
    public IActorRef Coordinator { get; private set; } = ActorRefs.Nobody;

    /// <summary>The node's whole configuration: options, then overrides, then cluster.conf, then the engine's base.</summary>
    public static Config Configuration(ClusterNodeOptions options) => Layers(options).Compose();

    private static EngineConfiguration Layers(ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lines = new List<string>
        {
            "akka.cluster.roles = [" + string.Join(", ", options.Roles.Select(Quote)) + "]",
        };
        if (options.Hostname is { } hostname)
        {
            lines.Add("akka.remote.dot-netty.tcp.hostname = " + Quote(hostname));
        }

        if (options.Port is { } port)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.port = {port}"));
        }

        if (options.SeedNodes is { } seeds)
        {
            lines.Add("akka.cluster.seed-nodes = [" + string.Join(", ", seeds.Select(Quote)) + "]");
        }

        return new EngineConfiguration
        {
            Options = ConfigurationFactory.ParseString(string.Join("\n", lines)),
            Overrides = options.Overrides,
            LiveQueries = options.LiveQueries,
            Journal = JournalSettings.Parse(options.DatabasePath),
            Cluster = true,
        };
    }

    /// <summary>Starts the node and joins the cluster (the seed nodes, or itself when there are none).</summary>
    public static ClusterNode Start(ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var coordinator = options.Roles.Contains(ClusterNodeOptions.Coordinator);
        if (coordinator)
        {
            // Coordinators write the journal; trainers never open it.
            JournalSettings.Parse(options.DatabasePath).Prepare();
        }

        // A coordinator writes as this node (its PostgreSQL connections name it, for the journal's lease fence).
        var holder = coordinator ? LeaseHolder.ForThisProcess() : null;
        var layers = Layers(options);
        if (holder is not null)
        {
            layers = layers with { Journal = layers.Journal!.ForWriter(holder, LeaseSettings.From(layers.Compose()).TimeToLive / 2) };
        }

        var config = layers.Compose();

        var system = ActorSystem.Create(SystemName, config);
        var node = new ClusterNode(system, options);
        node.StartActors(coordinator, options.Roles.Contains(ClusterNodeOptions.Trainer), holder);
        return node;
    }

    private void StartActors(bool coordinator, bool trainer, LeaseHolder? holder)
    {
        var cluster = Akka.Cluster.Cluster.Get(System);
        var config = System.Settings.Config;
        if (config.GetStringList("akka.cluster.seed-nodes").Count == 0)
        {
            cluster.Join(cluster.SelfAddress);
        }

        Coordinator = System.ActorOf(
            ClusterSingletonProxy.Props($"/user/{SingletonManagerName}", ClusterSingletonProxySettings.Create(System).WithRole(ClusterNodeOptions.Coordinator)),
            "coordinator");

        if (coordinator)
        {
            // Only coordinator nodes may start the singleton's manager (one without the role refuses it).
            var settings = EngineSettings.From(config);
            var checkpointDirectory = config.GetString("nashpo.cluster.checkpoint-directory");
            // A shared directory every node reaches; without one, next to a SQLite journal (one host only).
            var checkpoints = checkpointDirectory.Length > 0 ? Path.GetFullPath(checkpointDirectory) : JournalSettings.Parse(Options.DatabasePath).DefaultCheckpointDirectory;
            var environment = new StudyEnvironment(ActorRefs.Nobody, settings, StudyDefinitionReader.FromHocon, Options.Workloads ?? Workloads.WorkloadCatalog.Create, checkpoints)
            {
                PortableTrials = true,
            };
            // The cluster is one writer (its singleton): named by the node every member joined through, the first seed
            // (or this node when it formed the cluster), so a successor singleton takes the leases over at once.
            var seeds = config.GetStringList("akka.cluster.seed-nodes");
            var group = "cluster:" + (seeds.Count > 0 ? seeds[0] : cluster.SelfAddress.ToString());
            _leases = new StudyLeases(JournalSettings.Parse(Options.DatabasePath), holder! with { Group = group }, LeaseSettings.From(config));
            System.ActorOf(
                ClusterSingletonManager.Props(ClusterCoordinator.Props(environment, _leases), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(System).WithRole(ClusterNodeOptions.Coordinator)),
                SingletonManagerName);
            var gateway = System.ActorOf(ClusterGateway.Props(Coordinator), ClusterGateway.Name);
            ClusterClientReceptionist.Get(System).RegisterService(gateway);
        }

        if (trainer)
        {
            var address = cluster.SelfAddress;
            var suffix = $"@{address.Host}:{address.Port}";
            // A command study's program runs in this trainer's own directory when it names one (nashpo.command.working-dir).
            var commandDirectory = config.GetString("nashpo.command.working-dir");
            var commandWorkingDirectory = commandDirectory.Length > 0 ? Path.GetFullPath(commandDirectory) : null;
            _portable = new PortableExecutions(Options.Workloads ?? (definition => Workloads.WorkloadCatalog.Create(definition, commandWorkingDirectory)));
            _devices = System.ActorOf(NodeDevices.Props(Options.Devices.Select(d => d + suffix).ToArray(), _portable), "devices");
            _announcer = System.ActorOf(
                DeviceAnnouncer.Props(_devices, Coordinator, address.ToString(), config.GetTimeSpan("nashpo.cluster.device-announce-interval")),
                "device-announcer");
            if (!coordinator)
            {
                System.ActorOf(CoordinatorWatch.Props(config.GetTimeSpan("nashpo.cluster.trainer-alone-timeout"), TimeSpan.FromSeconds(1)), "coordinator-watch");
            }
        }

        _log.Info("node {0} started with roles [{1}]", cluster.SelfAddress, string.Join(", ", Options.Roles));
    }

    /// <summary>
    /// Leaves the cluster gracefully: a trainer withdraws its devices and stops them (their trials are dispatched
    /// elsewhere), then the node leaves (a coordinator hands the singleton over) and the actor system ends. Every
    /// wait is bounded by nashpo.cluster.leave-timeout.
    /// </summary>
    public async Task LeaveAsync()
    {
        if (_announcer is { } announcer && _devices is { } devices)
        {
            try
            {
                await announcer.Ask<DevicesWithdrawalSent>(new WithdrawDevices(), _leaveTimeout).ConfigureAwait(false);
                await devices.GracefulStop(_leaveTimeout).ConfigureAwait(false);
                _log.Info("devices of {0} stopped; their trials go to other nodes", Address);
            }
            catch (Exception error) when (error is AskTimeoutException or TaskCanceledException or TimeoutException)
            {
                _log.Warning("devices of {0} did not stop within {1}; leaving anyway", Address, _leaveTimeout);
            }
        }

        var shutdown = CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        if (await Task.WhenAny(shutdown, Task.Delay(_leaveTimeout)).ConfigureAwait(false) != shutdown)
        {
            _log.Warning("leaving the cluster took longer than {0}; stopping anyway", _leaveTimeout);
            await System.Terminate().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().ConfigureAwait(false);
        _leases?.Dispose();
        _portable?.Dispose();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>The receptionist of a coordinator at host:port, with the protocol the configuration uses (TLS or not).</summary>
    public static ActorPath ReceptionistPath(Config config, string hostAndPort)
    {
        ArgumentNullException.ThrowIfNull(config);
        var protocol = config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false) ? "akka.ssl.tcp" : "akka.tcp";
        return ActorPath.Parse($"{protocol}://{SystemName}@{hostAndPort}/system/receptionist");
    }

    internal static ImmutableHashSet<ActorPath> Contacts(Config config, string hostAndPort) => [ReceptionistPath(config, hostAndPort)];
}
