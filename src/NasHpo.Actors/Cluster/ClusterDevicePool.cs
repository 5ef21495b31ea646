using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// The leases of every device in the cluster, kept by the coordinator singleton: trainer nodes announce their
/// devices, trials lease any free one, wherever it is. It answers the same lease protocol as a node's
/// <see cref="DevicePool"/>, so studies do not know whether they run on one machine or many. A device whose node
/// left or was downed is gone (remote death watch): its lease is dropped, and the trial that held it, which watches
/// the device too, asks for another.
/// </summary>
public sealed class ClusterDevicePool : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (IActorRef Device, string Node)> _devices = [];
    private readonly Dictionary<string, (TrialId Trial, IActorRef Lessee)> _leases = [];
    private readonly LinkedList<(TrialId Trial, IActorRef Requester)> _waiting = new();
    private readonly SortedSet<string> _free = new(StringComparer.Ordinal);

    public ClusterDevicePool()
    {
        Receive<DevicesAnnounced>(OnAnnounced);
        Receive<DevicesWithdrawn>(withdrawn =>
        {
            var gone = _devices.Where(d => d.Value.Node == withdrawn.Node).Select(d => d.Key).ToArray();
            foreach (var name in gone)
            {
                Remove(name, "its node is leaving");
            }
        });
        Receive<LeaseDevice>(lease =>
        {
            _waiting.AddLast((lease.Trial, Sender));
            Serve();
        });
        Receive<ReleaseDevice>(release => Release(release.DeviceName, release.Trial));
        Receive<CancelLease>(cancel =>
        {
            for (var node = _waiting.First; node is not null; node = node.Next)
            {
                if (node.Value.Trial == cancel.Trial && node.Value.Requester.Equals(Sender))
                {
                    _waiting.Remove(node);
                    break;
                }
            }
        });
        Receive<Terminated>(terminated =>
        {
            foreach (var name in _devices.Where(d => d.Value.Device.Equals(terminated.ActorRef)).Select(d => d.Key).ToArray())
            {
                Remove(name, "it stopped or its node was removed");
            }

            foreach (var (device, lease) in _leases.Where(l => l.Value.Lessee.Equals(terminated.ActorRef)).ToArray())
            {
                Release(device, lease.Trial);
            }

            for (var node = _waiting.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Requester.Equals(terminated.ActorRef))
                {
                    _waiting.Remove(node);
                }

                node = next;
            }
        });
        Receive<GetClusterDevices>(_ => Sender.Tell(new ClusterDevices(_devices.Keys.Order(StringComparer.Ordinal).ToArray(), _leases.Count, _waiting.Count)));
    }

    public static Props Props() => Akka.Actor.Props.Create<ClusterDevicePool>();

    private void OnAnnounced(DevicesAnnounced announced)
    {
        var named = announced.Devices.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _devices.Where(d => d.Value.Node == announced.Node && !named.Contains(d.Key)).Select(d => d.Key).ToArray())
        {
            Remove(name, "its node no longer lists it");
        }

        var added = 0;
        foreach (var device in announced.Devices)
        {
            if (_devices.TryGetValue(device.Name, out var known) && known.Device.Equals(device.Device))
            {
                continue;
            }

            if (known.Device is not null)
            {
                // The same name from a restarted node: the old actor is gone.
                Remove(device.Name, "its node restarted");
            }

            _devices[device.Name] = (device.Device, announced.Node);
            _free.Add(device.Name);
            Context.Watch(device.Device);
            added++;
        }

        if (added > 0)
        {
            _log.Info("{0} device(s) from {1} joined; the cluster has {2}: {3}", added, announced.Node, _devices.Count, string.Join(", ", _devices.Keys.Order(StringComparer.Ordinal)));
            Serve();
        }
    }

    private void Remove(string name, string why)
    {
        if (!_devices.Remove(name, out var device))
        {
            return;
        }

        Context.Unwatch(device.Device);
        _free.Remove(name);
        if (_leases.Remove(name, out var lease))
        {
            // The trial watches the device and asks again once it sees it go; nothing more to do for it here.
            _log.Warning("device {0} left ({1}); its lease of {2} is revoked", name, why, lease.Trial);
            UnwatchIfNoLease(lease.Lessee);
        }
        else
        {
            _log.Warning("device {0} left ({1})", name, why);
        }
    }

    private void Serve()
    {
        while (_free.Count > 0 && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            var name = _free.Min!;
            _free.Remove(name);
            _leases[name] = (first.Value.Trial, first.Value.Requester);
            Context.Watch(first.Value.Requester);
            first.Value.Requester.Tell(new DeviceLeased(first.Value.Trial, _devices[name].Device, name));
        }
    }

    private void Release(string name, TrialId trial)
    {
        if (!_leases.TryGetValue(name, out var lease) || lease.Trial != trial)
        {
            return;
        }

        _leases.Remove(name);
        UnwatchIfNoLease(lease.Lessee);
        if (_devices.ContainsKey(name))
        {
            _free.Add(name);
            Serve();
        }
    }

    private void UnwatchIfNoLease(IActorRef lessee)
    {
        if (!_leases.Values.Any(l => l.Lessee.Equals(lessee)) && !_waiting.Any(w => w.Requester.Equals(lessee)))
        {
            Context.Unwatch(lessee);
        }
    }
}

/// <summary>Asks the cluster pool what it knows (for logs and tests).</summary>
public sealed record GetClusterDevices;

/// <summary>The devices the cluster pool can lease, how many are leased, and how many trials wait.</summary>
public sealed record ClusterDevices(IReadOnlyList<string> Devices, int Leased, int Waiting);
