using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Devices;
using NasHpo.Core.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// The leases of every device in the cluster, kept by the coordinator singleton in a
/// <see cref="LeaseBook{TDevice, TLessee}"/> (the book a node's own pool keeps): trainer nodes announce their devices,
/// trials lease any free one, wherever it is, and each device reports the end of a run here, to its lease holder. It answers the same lease protocol as a node's
/// <see cref="DevicePool"/>, so studies do not know whether they run on one machine or many. A device whose node
/// left or was downed is gone (remote death watch): its lease is dropped, and the trial that held it, which watches
/// the device too, asks for another.
/// </summary>
public sealed class ClusterDevicePool : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LeaseDesk _desk;
    private readonly LeaseBook<IActorRef, IActorRef> _book;

    public ClusterDevicePool()
    {
        _desk = new LeaseDesk(Context);
        _book = _desk.Book;
        Receive<DevicesAnnounced>(OnAnnounced);
        Receive<DevicesWithdrawn>(withdrawn =>
        {
            foreach (var name in _book.DevicesOf(withdrawn.Node))
            {
                Remove(name, "its node is leaving");
            }
        });
        Receive<LeaseDevice>(lease => _desk.Lend(_book.Request(lease.Trial, Sender)));
        Receive<ReleaseDevice>(release => _desk.Release(release.DeviceName, release.Trial));

        // The device itself reports the end of a run, straight from its node: lend it on without waiting for the
        // trial's release, which would come one hop later (and is then ignored).
        Receive<DeviceWorked>(worked => _desk.Release(worked.DeviceName, worked.Trial));
        Receive<CancelLease>(cancel =>
        {
            _book.Cancel(cancel.Trial, Sender);
            _desk.UnwatchIfDone(Sender);
        });
        Receive<Terminated>(terminated =>
        {
            foreach (var name in _book.Names.Where(n => _book.TryGetDevice(n, out var device) && device.Equals(terminated.ActorRef)).ToArray())
            {
                Remove(name, "it stopped or its node was removed");
            }

            _desk.Lend(_book.Forget(terminated.ActorRef));
        });
        Receive<GetClusterDevices>(_ => Sender.Tell(new ClusterDevices(_book.Names, _book.Leased, _book.Waiting)));
    }

    public static Props Props() => Akka.Actor.Props.Create<ClusterDevicePool>();

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
            added++;
        }

        if (added > 0)
        {
            var names = _book.Names;
            _log.Info("{0} device(s) from {1} joined; the cluster has {2}: {3}", added, announced.Node, names.Count, string.Join(", ", names));
        }

        _desk.Lend(grants);
    }

    private void Remove(string name, string why)
    {
        if (!_book.TryGetDevice(name, out var device))
        {
            return;
        }

        Context.Unwatch(device);
        if (_book.Remove(name) is { } lease)
        {
            // The trial watches the device and asks again once it sees it go; nothing more to do for it here.
            _log.Warning("device {0} left ({1}); its lease of {2} is revoked", name, why, lease.Trial);
            _desk.UnwatchIfDone(lease.Lessee);
        }
        else
        {
            _log.Warning("device {0} left ({1})", name, why);
        }
    }
}

/// <summary>Asks the cluster pool what it knows (for logs and tests).</summary>
public sealed record GetClusterDevices;

/// <summary>The devices the cluster pool can lease, how many are leased, and how many trials wait.</summary>
public sealed record ClusterDevices(IReadOnlyList<string> Devices, int Leased, int Waiting);
