using Akka.Actor;
using NasHpo.Actors.Cluster;

namespace NasHpo.Actors.Devices;

/// <summary>
/// The devices of one node ("/user/devices"): parent and supervisor of one <see cref="GpuDeviceActor"/> per device,
/// and nothing else. It keeps no leases: whoever leases the devices (the node's own <see cref="DevicePool"/>, or the
/// cluster's, to which a trainer's <see cref="DeviceAnnouncer"/> announces them) asks for them with
/// <see cref="ListDevices"/>, and each device tells its lease holder when a run ends.
/// </summary>
internal sealed class NodeDevices : ReceiveActor
{
    public NodeDevices(IReadOnlyList<string> deviceNames, PortableExecutions? portable)
    {
        var devices = deviceNames
            .Select(name => new AnnouncedDevice(name, Context.ActorOf(GpuDeviceActor.Props(name, portable), name)))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
        Receive<ListDevices>(_ => Sender.Tell(new DevicesListed(devices)));
    }

    /// <summary>A node's devices, which run only trials of this process.</summary>
    public static Props Props(IReadOnlyList<string> deviceNames) => Props(deviceNames, null);

    /// <summary>A node's devices that also run trials sent from other nodes (a trainer node of a cluster).</summary>
    public static Props Props(IReadOnlyList<string> deviceNames, PortableExecutions? portable) =>
        Akka.Actor.Props.Create<NodeDevices>(deviceNames, portable!);

    /// <summary>"cpu-0", "cpu-1", …: the names of n CPU slots.</summary>
    public static IReadOnlyList<string> CpuDevices(int count) => Enumerable.Range(0, count).Select(i => $"cpu-{i}").ToArray();
}
