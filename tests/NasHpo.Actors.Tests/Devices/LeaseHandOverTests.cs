using Akka.Actor;
using Akka.TestKit.Xunit2;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.Devices;

/// <summary>
/// A device that ends a run is lent to the next waiting trial at once, by whichever pool holds its lease: the node's
/// own, or the cluster's (which a trainer's devices used not to tell, so they idled one hop longer than local ones).
/// </summary>
public sealed class LeaseHandOverTests : TestKit
{
    private static readonly TrialId First = new(1, 1);
    private static readonly TrialId Second = new(2, 1);

    [Fact]
    public void The_cluster_pool_lends_a_device_on_when_the_device_reports_its_run_ended_before_the_trial_releases_it()
    {
        var pool = Sys.ActorOf(ClusterDevicePool.Props());
        var device = CreateTestProbe();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        pool.Tell(new DevicesAnnounced("akka.tcp://nashpo@127.0.0.1:4100", [new AnnouncedDevice("cpu-0@127.0.0.1:4100", device.Ref)]));

        pool.Tell(new LeaseDevice(First), first.Ref);
        Assert.Equal(First, first.ExpectMsg<DeviceLeased>().Trial);
        pool.Tell(new LeaseDevice(Second), second.Ref);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The device's report, not the first trial's release.
        pool.Tell(new DeviceWorked("cpu-0@127.0.0.1:4100", First, TimeSpan.FromMilliseconds(50)), device.Ref);
        var leased = second.ExpectMsg<DeviceLeased>();
        Assert.Equal((Second, "cpu-0@127.0.0.1:4100"), (leased.Trial, leased.DeviceName));

        // The release that follows is late and must not free the device under the second trial.
        var third = CreateTestProbe();
        pool.Tell(new ReleaseDevice(First, "cpu-0@127.0.0.1:4100"), first.Ref);
        pool.Tell(new LeaseDevice(new TrialId(3, 1)), third.Ref);
        third.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_device_reports_the_end_of_a_run_to_the_lease_holder_named_by_the_run()
    {
        var device = Sys.ActorOf(GpuDeviceActor.Props("cpu-7"));
        var holder = CreateTestProbe();
        var request = new TrialRequest(First, new NasHpo.Core.SearchSpaces.Configuration([]), 0, 0, null);

        device.Tell(new RunTrial(request, new TrialExecution(new InstantWorkload(), null, false)) { LeaseHolder = holder.Ref }, TestActor);

        ExpectMsg<TrialRunFinished>(finished => Assert.Equal(First, finished.Trial));
        var worked = holder.ExpectMsg<DeviceWorked>();
        Assert.Equal(("cpu-7", First), (worked.DeviceName, worked.Trial));
    }

    private sealed class InstantWorkload : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context) => WorkloadResult.Of(1.0);
    }
}
