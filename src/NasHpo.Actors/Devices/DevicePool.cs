using System.Diagnostics;
using Akka.Actor;
using NasHpo.Actors.Cluster;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Devices;

/// <summary>
/// The devices of one node ("/user/devices") and their leases. A trial leases a device before it runs and
/// releases it after; requests wait in arrival order while every device is busy. A lessee that stops without
/// releasing (a crashed trial) loses its lease when its death is noticed.
/// </summary>
public sealed class DevicePool : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _devices = [];
    private readonly Dictionary<string, (TrialId Trial, IActorRef Lessee)> _leases = [];
    private readonly LinkedList<(TrialId Trial, IActorRef Requester)> _waiting = new();
    private readonly SortedSet<string> _free = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _busy = [];
    private readonly Stopwatch _age = Stopwatch.StartNew();

    public DevicePool(IReadOnlyList<string> deviceNames, PortableExecutions? portable)
    {
        foreach (var name in deviceNames)
        {
            _devices[name] = Context.ActorOf(GpuDeviceActor.Props(name, portable), name);
            _free.Add(name);
            _busy[name] = TimeSpan.Zero;
        }

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
        Receive<DeviceWorked>(worked =>
        {
            _busy[worked.DeviceName] += worked.Duration;
            // The device is idle from here: lend it to the next trial now instead of after the finished trial's
            // own release, which comes one hop later (its ReleaseDevice then finds the lease gone and is ignored).
            Release(worked.DeviceName, worked.Trial);
        });
        Receive<GetDeviceUtilisation>(_ => Sender.Tell(new DeviceUtilisation(new Dictionary<string, TimeSpan>(_busy), _age.Elapsed)));
        Receive<ListDevices>(_ => Sender.Tell(new DevicesListed(_devices.Select(d => new AnnouncedDevice(d.Key, d.Value)).OrderBy(d => d.Name, StringComparer.Ordinal).ToArray())));
    }

    public static Props Props(IReadOnlyList<string> deviceNames) => Props(deviceNames, null);

    /// <summary>A pool whose devices also run trials sent from other nodes (a trainer node of a cluster).</summary>
    public static Props Props(IReadOnlyList<string> deviceNames, PortableExecutions? portable) =>
        Akka.Actor.Props.Create<DevicePool>(deviceNames, portable!);

    /// <summary>"cpu-0", "cpu-1", …: the names of n CPU slots.</summary>
    public static IReadOnlyList<string> CpuDevices(int count) => Enumerable.Range(0, count).Select(i => $"cpu-{i}").ToArray();

    private void Serve()
    {
        while (_free.Count > 0 && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            var device = _free.Min!;
            _free.Remove(device);
            _leases[device] = (first.Value.Trial, first.Value.Requester);
            Context.Watch(first.Value.Requester);
            first.Value.Requester.Tell(new DeviceLeased(first.Value.Trial, _devices[device], device));
        }
    }

    private void Release(string device, TrialId trial)
    {
        if (!_leases.TryGetValue(device, out var lease) || lease.Trial != trial)
        {
            return;
        }

        _leases.Remove(device);
        if (!_leases.Values.Any(l => l.Lessee.Equals(lease.Lessee)))
        {
            Context.Unwatch(lease.Lessee);
        }

        _free.Add(device);
        Serve();
    }
}
