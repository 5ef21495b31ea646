using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Cluster;
using NasHpo.Core.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Devices;

/// <summary>
/// The one lease actor: who may use which device, kept in a pure <see cref="LeaseBook{TDevice, TLessee}"/>. It is
/// fed either by its own node's devices (<see cref="NodeDevices"/>, on one machine) or by the devices that trainer
/// nodes announce (<see cref="DevicesAnnounced"/>, the coordinator's pool in a cluster); it leases them the same way
/// whichever feeds it, so studies do not know whether they run on one machine or many. A trial leases a device before
/// it runs and releases it after; a run names this pool as its lease holder, and the device reports here the moment
/// the run ends (<see cref="DeviceWorked"/>), which lends it on at once and counts its busy time. Requests wait in
/// arrival order while every device is busy. A lessee that stops without releasing (a crashed trial) loses its lease
/// when its death is noticed; a device that stops, or whose node left or was downed, is gone (death watch, remote
/// across nodes): its lease is dropped, and the trial that held it, which watches the device too, asks for another.
/// <para>
/// With a queue threshold (the cluster's pool: <c>nashpo.engine.device-queue-below</c>), a busy device whose last run
/// took less than it holds one more trial, which it starts the moment its run ends: across nodes, the report to this
/// pool and the next trial's run message are two network hops per trial, about a tenth of a device's time at 50 ms
/// trials. Long runs never queue, so a trial does not wait behind one while another device frees.
/// </para>
/// </summary>
internal sealed class DevicePool : ReceiveActor
{
    /// <summary>The node name under which a pool keeps the devices of its own node.</summary>
    internal const string LocalNode = "local";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LeaseBook<IActorRef, IActorRef> _book = new();
    private readonly Dictionary<string, TimeSpan> _busy = new(StringComparer.Ordinal);
    private readonly Stopwatch _age = Stopwatch.StartNew();
    private readonly IActorRef? _localDevices;
    private readonly TimeSpan _queueBelow;

    public DevicePool(IActorRef? localDevices, TimeSpan queueBelow)
    {
        _localDevices = localDevices;
        _queueBelow = queueBelow;
        Receive<DevicesListed>(listed => OnAnnounced(new DevicesAnnounced(LocalNode, listed.Devices)));
        Receive<DevicesAnnounced>(OnAnnounced);
        Receive<DevicesWithdrawn>(withdrawn =>
        {
            foreach (var name in _book.DevicesOf(withdrawn.Node))
            {
                Remove(name, "its node is leaving");
            }
        });
        Receive<LeaseDevice>(lease => Lend(_book.Request(lease.Trial, Sender)));
        Receive<ReleaseDevice>(release => Release(release.DeviceName, release.Trial));
        Receive<DeviceWorked>(worked =>
        {
            if (_busy.ContainsKey(worked.DeviceName))
            {
                _busy[worked.DeviceName] += worked.Duration;
            }

            // The device is idle from here (or runs the trial it held queued): lend it on now instead of after the
            // finished trial's own release, which comes one hop later (and then finds the lease gone and is ignored).
            Release(worked.DeviceName, worked.Trial);
            Lend(_book.AllowQueue(worked.DeviceName, worked.Duration < _queueBelow));
        });
        Receive<CancelLease>(cancel =>
        {
            _book.Cancel(cancel.Trial, Sender);
            UnwatchIfDone(Sender);
        });
        Receive<Terminated>(terminated =>
        {
            // While this system shuts down its own devices stop before (or beside) the pool: that is the end of the
            // run, not a device lost, so it is no warning (a user's console showed one at the end of a clean run).
            var shuttingDown = CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;
            foreach (var name in _book.Names.Where(n => _book.TryGetDevice(n, out var device) && device.Equals(terminated.ActorRef)).ToArray())
            {
                Remove(name, "it stopped or its node was removed", shuttingDown ? LogLevel.DebugLevel : LogLevel.WarningLevel);
            }

            Lend(_book.Forget(terminated.ActorRef));
        });
        Receive<GetDeviceUtilisation>(_ => Sender.Tell(new DeviceUtilisation(new Dictionary<string, TimeSpan>(_busy), _age.Elapsed)));
        Receive<GetDevicePool>(_ => Sender.Tell(new DevicePoolState(_book.Names, _book.Leased, _book.Waiting)));
    }

    /// <summary>A pool of the devices a <see cref="NodeDevices"/> holds (one machine); a device queues a trial only with <paramref name="queueBelow"/> above zero.</summary>
    public static Props Props(IActorRef localDevices, TimeSpan queueBelow = default) => Akka.Actor.Props.Create<DevicePool>(localDevices, queueBelow);

    /// <summary>A pool of the devices announced to it (<see cref="DevicesAnnounced"/>: a cluster's coordinator).</summary>
    public static Props Props(TimeSpan queueBelow) => Akka.Actor.Props.Create<DevicePool>((IActorRef?)null!, queueBelow);

    protected override void PreStart() => _localDevices?.Tell(new ListDevices());

    private void OnAnnounced(DevicesAnnounced announced)
    {
        var named = announced.Devices.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _book.DevicesOf(announced.Node).Where(n => !named.Contains(n)))
        {
            Remove(name, "its node no longer lists it");
        }

        var added = 0;
        var grants = new List<LeaseBook<IActorRef, IActorRef>.Grant>();
        foreach (var device in announced.Devices)
        {
            if (_book.TryGetDevice(device.Name, out var known))
            {
                if (known.Equals(device.Device))
                {
                    continue;
                }

                // The same name from a restarted node: the old actor is gone.
                Remove(device.Name, "its node restarted");
            }

            Context.Watch(device.Device);
            grants.AddRange(_book.Add(device.Name, device.Device, announced.Node));
            _busy.TryAdd(device.Name, TimeSpan.Zero);
            added++;
        }

        if (added > 0)
        {
            // A node's own devices are not news; a trainer's joining the cluster is (and scripts wait for this line).
            var names = _book.Names;
            if (announced.Node == LocalNode)
            {
                _log.Debug("{0} device(s) of this node joined the pool: {1}", added, string.Join(", ", names));
            }
            else
            {
                _log.Info("{0} device(s) from {1} joined; the cluster has {2}: {3}", added, announced.Node, names.Count, string.Join(", ", names));
            }
        }

        Lend(grants);
    }

    private void Remove(string name, string why, LogLevel level = LogLevel.WarningLevel)
    {
        if (!_book.TryGetDevice(name, out var device))
        {
            return;
        }

        Context.Unwatch(device);
        var revoked = _book.Remove(name);
        if (revoked.Count > 0)
        {
            // The trials watch the device and ask again once they see it go; nothing more to do for them here.
            _log.Log(level, $"device {name} left ({why}); its lease of {string.Join(" and ", revoked.Select(l => l.Trial))} is revoked");
            foreach (var lease in revoked)
            {
                UnwatchIfDone(lease.Lessee);
            }
        }
        else
        {
            _log.Log(level, $"device {name} left ({why})");
        }
    }

    /// <summary>Tells each lessee its device, watching it until it holds and waits for nothing (a trial that dies loses its lease).</summary>
    private static void Lend(IReadOnlyList<LeaseBook<IActorRef, IActorRef>.Grant> grants)
    {
        foreach (var grant in grants)
        {
            Context.Watch(grant.Lessee);
            grant.Lessee.Tell(new DeviceLeased(grant.Trial, grant.Device, grant.Name) { Queued = grant.Queued });
        }
    }

    /// <summary>Ends a trial's lease of a device (a stale release is ignored by the book) and lends it on.</summary>
    private void Release(string device, TrialId trial)
    {
        IActorRef? lessee = _book.LeaseOf(device) is { } running && running.Trial == trial ? running.Lessee
            : _book.QueuedOn(device) is { } queued && queued.Trial == trial ? queued.Lessee
            : null;
        Lend(_book.Release(device, trial));
        if (lessee is not null)
        {
            UnwatchIfDone(lessee);
        }
    }

    private void UnwatchIfDone(IActorRef lessee)
    {
        if (!_book.Involves(lessee))
        {
            Context.Unwatch(lessee);
        }
    }
}
