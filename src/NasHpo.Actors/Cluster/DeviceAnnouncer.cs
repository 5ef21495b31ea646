using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using NasHpo.Actors.Devices;

namespace NasHpo.Actors.Cluster;

/// <summary>Stops announcing and tells the coordinator to lease none of this node's devices (the node is leaving).</summary>
internal sealed record WithdrawDevices;

/// <summary>The devices are withdrawn (the message went out; the coordinator may still be unreachable).</summary>
internal sealed record DevicesWithdrawalSent;

/// <summary>
/// A trainer node's voice in the cluster: sends the node's devices to the coordinator singleton (through its proxy)
/// at start and then at an interval. Repeating is what makes it robust: a coordinator that took over after a
/// failure, or one that lost a message, learns every device within one interval without asking anyone.
/// Nothing is announced before the node is Up: a joining (or weakly up) node does not yet count in the split-brain
/// resolver's majority, so if it ran trials and another node failed meanwhile, the resolver would decide without
/// it (with one coordinator and one counted trainer that is a tie, which the lowest address wins, perhaps the lost
/// trainer's, and the coordinator would down itself).
/// </summary>
internal sealed class DeviceAnnouncer : ReceiveActor, IWithTimers
{
    private const string AnnounceTimer = "announce";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _coordinator;
    private readonly string _node;
    private IReadOnlyList<AnnouncedDevice> _devices = [];

    public DeviceAnnouncer(IActorRef nodeDevices, IActorRef coordinator, string node, TimeSpan interval)
    {
        _coordinator = coordinator;
        _node = node;
        Receive<DevicesListed>(listed =>
        {
            _devices = listed.Devices;
            _log.Info("announcing {0} device(s) of {1} to the coordinator every {2}: {3}", _devices.Count, node, interval, string.Join(", ", _devices.Select(d => d.Name)));
            Announce();
            Timers.StartPeriodicTimer(AnnounceTimer, Tick.Instance, interval);
        });
        Receive<Tick>(_ => Announce());
        Receive<WithdrawDevices>(_ =>
        {
            Timers.Cancel(AnnounceTimer);
            _coordinator.Tell(new DevicesWithdrawn(_node));
            _log.Info("withdrew the devices of {0} from the cluster", _node);
            Sender.Tell(new DevicesWithdrawalSent());
            Become(() => Receive<WithdrawDevices>(_ => Sender.Tell(new DevicesWithdrawalSent())));
        });
        nodeDevices.Tell(new ListDevices());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef nodeDevices, IActorRef coordinator, string node, TimeSpan interval) =>
        Akka.Actor.Props.Create<DeviceAnnouncer>(nodeDevices, coordinator, node, interval);

    private void Announce()
    {
        if (_cluster.SelfMember.Status == MemberStatus.Up)
        {
            _coordinator.Tell(new DevicesAnnounced(_node, _devices));
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
