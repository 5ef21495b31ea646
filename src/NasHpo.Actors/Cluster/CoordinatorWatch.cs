using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// A trainer node's check that it still belongs to a cluster with a coordinator: once the node is Up, if no member
/// with the coordinator role is Up and reachable from here for <c>nashpo.cluster.trainer-alone-timeout</c>, the node
/// leaves (coordinated shutdown, so <c>nashpo serve</c> exits and a supervisor can start it afresh).
/// Why not rely on the split-brain resolver alone: a trainer frozen (SIGSTOP, a stalled VM) until the others removed
/// it sees, once thawed, every other member unreachable, and its own resolver may decide from a stale membership that
/// its side is the one to keep; it then downs the others and lingers as a one-node cluster that can run nothing
/// (seen in the cluster chaos run: keep-majority with "[3] unreachable of [2] members"). A trainer without any
/// coordinator is useless whatever the resolver concluded, and it cannot rejoin the real cluster without a restart.
/// </summary>
internal sealed class CoordinatorWatch : ReceiveActor, IWithTimers
{
    private const string CheckTimer = "check";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly TimeSpan _timeout;
    // A monotonic timestamp: a wall-clock step must not make a trainer leave, nor keep one that should.
    private long? _aloneSince;
    private bool _leaving;

    public CoordinatorWatch(TimeSpan timeout, TimeSpan checkInterval)
    {
        _timeout = timeout;
        Receive<Check>(_ => OnCheck());
        Timers.StartPeriodicTimer(CheckTimer, Check.Instance, checkInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan timeout, TimeSpan checkInterval) => Akka.Actor.Props.Create<CoordinatorWatch>(timeout, checkInterval);

    /// <summary>A coordinator member that is Up and that this node does not see as unreachable.</summary>
    private static bool HasReachableCoordinator(ClusterEvent.CurrentClusterState state) =>
        state.Members.Any(m => m.Status == MemberStatus.Up && m.HasRole(ClusterNodeOptions.Coordinator) && !state.Unreachable.Contains(m));

    private void OnCheck()
    {
        // Before this node is Up it is still joining (the seed nodes decide); after it is leaving, nothing to watch.
        if (_leaving || _cluster.SelfMember.Status != MemberStatus.Up)
        {
            _aloneSince = null;
            return;
        }

        if (HasReachableCoordinator(_cluster.State))
        {
            if (_aloneSince is not null)
            {
                _log.Info("a coordinator is reachable again from {0}", _cluster.SelfAddress);
            }

            _aloneSince = null;
            return;
        }

        if (_aloneSince is not { } since)
        {
            _aloneSince = Stopwatch.GetTimestamp();
            _log.Warning("no coordinator reachable from {0}; this trainer leaves if none is within {1}", _cluster.SelfAddress, _timeout);
            return;
        }

        var alone = Stopwatch.GetElapsedTime(since);
        if (alone >= _timeout)
        {
            _leaving = true;
            _log.Warning("no coordinator reachable from {0} for {1}: leaving the cluster (its trials are moved by the coordinators)", _cluster.SelfAddress, alone);
            _ = CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        }
    }

    private sealed class Check
    {
        public static readonly Check Instance = new();
    }
}
