using Akka.Actor;
using Akka.TestKit.Xunit2;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.Devices;

/// <summary>
/// A device that ends a run is lent to the next waiting trial at once, by the pool that holds its lease, whether that
/// pool is fed by its own node's devices or by the devices trainers announce (which used to be two actors, and a
/// trainer's devices told their parent, which held no lease, so they idled one hop longer than local ones).
/// </summary>
public sealed class LeaseHandOverTests : TestKit
{
    private static readonly TrialId First = new(1, 1);
    private static readonly TrialId Second = new(2, 1);

    [Fact]
    public void The_cluster_pool_lends_a_device_on_when_the_device_reports_its_run_ended_before_the_trial_releases_it()
    {
        var pool = Sys.ActorOf(DevicePool.Props(TimeSpan.Zero));
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

    [Fact]
    public void A_pool_fed_by_its_own_nodes_devices_lends_them_and_hears_the_end_of_each_run_from_the_device_as_lease_holder()
    {
        var devices = Sys.ActorOf(NodeDevices.Props(["cpu-0"]));
        var pool = Sys.ActorOf(DevicePool.Props(devices));
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        pool.Tell(new LeaseDevice(First), first.Ref);
        var lease = first.ExpectMsg<DeviceLeased>();
        Assert.Equal((First, "cpu-0"), (lease.Trial, lease.DeviceName));
        pool.Tell(new LeaseDevice(Second), second.Ref);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The first trial runs as a trial does (naming the pool), and never releases the device itself.
        var request = new TrialRequest(First, new NasHpo.Core.SearchSpaces.Configuration([]), 0, 0, null);
        lease.Device.Tell(new RunTrial(request, new TrialExecution(new InstantWorkload(), null, false)) { LeaseHolder = pool }, first.Ref);
        first.ExpectMsg<TrialRunFinished>();
        Assert.Equal((Second, "cpu-0"), (second.ExpectMsg<DeviceLeased>().Trial, "cpu-0"));

        pool.Tell(new GetDeviceUtilisation());
        Assert.Equal(["cpu-0"], ExpectMsg<DeviceUtilisation>().Busy.Keys);
    }

    [Fact]
    public void A_device_that_stops_leaves_the_pool_and_its_lease_is_revoked()
    {
        var pool = Sys.ActorOf(DevicePool.Props(TimeSpan.Zero));
        var device = CreateTestProbe();
        var spare = CreateTestProbe();
        var trial = CreateTestProbe();
        pool.Tell(new DevicesAnnounced("node-a", [new AnnouncedDevice("cpu-0@a", device.Ref), new AnnouncedDevice("cpu-1@a", spare.Ref)]));
        pool.Tell(new LeaseDevice(First), trial.Ref);
        Assert.Equal("cpu-0@a", trial.ExpectMsg<DeviceLeased>().DeviceName);

        Watch(device.Ref);
        Sys.Stop(device.Ref);
        ExpectTerminated(device.Ref);

        AwaitAssert(() =>
        {
            pool.Tell(new GetDevicePool());
            var state = ExpectMsg<DevicePoolState>();
            Assert.Equal(["cpu-1@a"], state.Devices);
            Assert.Equal(0, state.Leased);
        });
    }

    [Fact]
    public void A_device_whose_runs_are_short_holds_a_queued_trial_and_starts_it_the_moment_its_run_ends()
    {
        var devices = Sys.ActorOf(NodeDevices.Props(["cpu-0"]));
        var pool = Sys.ActorOf(DevicePool.Props(devices, TimeSpan.FromSeconds(5)));
        var execution = new TrialExecution(new SleepingWorkload(TimeSpan.FromSeconds(1)), null, false);
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var third = CreateTestProbe();

        // Nothing is known of the device's runs yet: the second request waits for the first run to end.
        pool.Tell(new LeaseDevice(First), first.Ref);
        var lease = first.ExpectMsg<DeviceLeased>();
        Assert.False(lease.Queued);
        lease.Device.Tell(new RunTrial(Request(First), execution) { LeaseHolder = pool }, first.Ref);
        pool.Tell(new LeaseDevice(Second), second.Ref);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        first.ExpectMsg<TrialRunFinished>();
        Assert.False(second.ExpectMsg<DeviceLeased>().Queued);
        lease.Device.Tell(new RunTrial(Request(Second), execution) { LeaseHolder = pool }, second.Ref);

        // The first run was short: the busy device now takes the third trial as queued, holds it, and starts it
        // (saying so) as soon as the second run ends, with no word from the pool in between.
        var thirdTrial = new TrialId(3, 1);
        pool.Tell(new LeaseDevice(thirdTrial), third.Ref);
        Assert.True(third.ExpectMsg<DeviceLeased>().Queued);
        lease.Device.Tell(new RunTrial(Request(thirdTrial), execution) { LeaseHolder = pool, Queued = true }, third.Ref);
        third.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        second.ExpectMsg<TrialRunFinished>();
        Assert.Equal(thirdTrial, third.ExpectMsg<TrialRunStarted>(TimeSpan.FromSeconds(3)).Trial);
        Assert.Equal((thirdTrial, null), (third.ExpectMsg<TrialRunFinished>().Trial, (string?)null));

        // A second queued run while one is held is refused, and a cancelled queued run never starts.
        var fourth = new TrialId(4, 1);
        var fifth = new TrialId(5, 1);
        lease.Device.Tell(new RunTrial(Request(fourth), execution) { LeaseHolder = pool }, TestActor);
        lease.Device.Tell(new RunTrial(Request(fifth), execution) { LeaseHolder = pool, Queued = true }, TestActor);
        lease.Device.Tell(new RunTrial(Request(new TrialId(6, 1)), execution) { LeaseHolder = pool, Queued = true }, TestActor);
        Assert.Equal(new TrialId(6, 1), ExpectMsg<DeviceBusy>().Trial);
        lease.Device.Tell(new CancelTrial(fifth));
        Assert.Equal(fourth, ExpectMsg<TrialRunFinished>().Trial);
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void A_trial_leased_as_queued_reports_its_start_when_the_device_starts_its_run_and_only_once()
    {
        var pool = CreateTestProbe();
        var device = CreateTestProbe();
        var study = CreateTestProbe();
        var execution = new TrialExecution(new InstantWorkload(), null, false);

        var queued = Sys.ActorOf(NasHpo.Actors.Trials.TrialActor.Props(Request(First), execution, pool.Ref, study.Ref));
        pool.ExpectMsg<LeaseDevice>();
        queued.Tell(new DeviceLeased(First, device.Ref, "cpu-0") { Queued = true }, pool.Ref);
        Assert.True(device.ExpectMsg<RunTrial>().Queued);
        study.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        queued.Tell(new TrialRunStarted(First, "cpu-0"), device.Ref);
        Assert.Equal(First, study.ExpectMsg<NasHpo.Actors.Trials.TrialStartedOnDevice>().Trial);

        // A plain lease reports its start at once; the device's word that it started a run it held changes nothing.
        var plain = Sys.ActorOf(NasHpo.Actors.Trials.TrialActor.Props(Request(Second), execution, pool.Ref, study.Ref));
        pool.ExpectMsg<LeaseDevice>();
        plain.Tell(new DeviceLeased(Second, device.Ref, "cpu-0"), pool.Ref);
        Assert.False(device.ExpectMsg<RunTrial>().Queued);
        Assert.Equal(Second, study.ExpectMsg<NasHpo.Actors.Trials.TrialStartedOnDevice>().Trial);
        plain.Tell(new TrialRunStarted(Second, "cpu-0"), device.Ref);
        queued.Tell(new TrialRunStarted(First, "cpu-0"), device.Ref);
        study.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private static TrialRequest Request(TrialId id) => new(id, new NasHpo.Core.SearchSpaces.Configuration([]), 0, 0, null);

    private sealed class SleepingWorkload(TimeSpan sleep) : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context)
        {
            Thread.Sleep(sleep);
            return WorkloadResult.Of(1.0);
        }
    }

    private sealed class InstantWorkload : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context) => WorkloadResult.Of(1.0);
    }
}
