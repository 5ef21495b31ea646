using System.Diagnostics;
using Akka.Actor;
using NasHpo.Actors.Cluster;
using NasHpo.Core.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Devices;

/// <summary>
/// The devices of one node ("/user/devices") and, when the node runs its own studies, their leases (a
/// <see cref="LeaseBook{TDevice, TLessee}"/>, as the cluster's pool keeps one). A trial leases a device before it
/// runs and releases it after; the device reports to the lease holder the moment its run ends, which lends it on at
/// once. Requests wait in arrival order while every device is busy. A lessee that stops without releasing (a crashed
/// trial) loses its lease when its death is noticed.
/// </summary>
public sealed class DevicePool : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _devices = [];
    private readonly LeaseDesk _desk;
    private readonly LeaseBook<IActorRef, IActorRef> _book;
    private readonly Dictionary<string, TimeSpan> _busy = [];
    private readonly Stopwatch _age = Stopwatch.StartNew();

    public DevicePool(IReadOnlyList<string> deviceNames, PortableExecutions? portable)
    {
        _desk = new LeaseDesk(Context);
        _book = _desk.Book;
        foreach (var name in deviceNames)
        {
            _devices[name] = Context.ActorOf(GpuDeviceActor.Props(name, portable), name);
            _book.Add(name, _devices[name]);
            _busy[name] = TimeSpan.Zero;
        }

        Receive<LeaseDevice>(lease => _desk.Lend(_book.Request(lease.Trial, Sender)));
        Receive<ReleaseDevice>(release => _desk.Release(release.DeviceName, release.Trial));
        Receive<CancelLease>(cancel =>
        {
            _book.Cancel(cancel.Trial, Sender);
            _desk.UnwatchIfDone(Sender);
        });
        Receive<Terminated>(terminated => _desk.Lend(_book.Forget(terminated.ActorRef)));
        Receive<DeviceWorked>(worked =>
        {
            // On a trainer of a cluster the devices' leases are held by the cluster's pool, which the trials name
            // as the lease holder: their reports go there, and no lease here is ever taken.
            if (_busy.ContainsKey(worked.DeviceName))
            {
                _busy[worked.DeviceName] += worked.Duration;
            }

            // The device is idle from here: lend it to the next trial now instead of after the finished trial's
            // own release, which comes one hop later (its ReleaseDevice then finds the lease gone and is ignored).
            _desk.Release(worked.DeviceName, worked.Trial);
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
}
