using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;
using NasHpo.Actors.Devices;

namespace NasHpo.Actors.Tests.Devices;

/// <summary>
/// A device that stops while its own system shuts down is the end of a run, not a lost device: the pool says so
/// below warning level (the engine's console prints warnings, and a clean run once ended with "device cpu-0 left").
/// A device that stops while the system runs is still a warning.
/// </summary>
public sealed class DevicePoolShutdownTests : TestKit
{
    [Fact]
    public async Task A_device_stopped_during_shutdown_leaves_without_a_warning_and_one_stopped_before_warns()
    {
        using var system = ActorSystem.Create("pool-shutdown", ConfigurationFactory.ParseString("akka.loglevel = DEBUG"));
        var warnings = CreateTestProbe();
        system.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var devices = system.ActorOf(NodeDevices.Props(["cpu-0", "cpu-1"]));
        var pool = system.ActorOf(DevicePool.Props(devices));
        await AwaitDevicesAsync(pool, 2);

        // Stopped while the system runs: a device lost.
        var first = await LeaseAsync(pool, 1);
        first.Device.Tell(PoisonPill.Instance);
        var warned = warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains($"device {first.DeviceName} left", StringComparison.Ordinal));
        Assert.NotNull(warned);
        await AwaitDevicesAsync(pool, 1);

        // Stopped once shutdown has begun (a phase before the actors stop, so the pool is there to see it).
        var second = (await LeaseAsync(pool, 2)).Device;
        var shutdown = CoordinatedShutdown.Get(system);
        var seen = new TaskCompletionSource();
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-a-device", async () =>
        {
            second.Tell(PoisonPill.Instance);
            await AwaitDevicesAsync(pool, 0);
            seen.SetResult();
            return Akka.Done.Instance;
        });
        await shutdown.Run(CoordinatedShutdown.ClrExitReason.Instance);
        Assert.True(seen.Task.IsCompletedSuccessfully);
        warnings.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    // The asking actor is the lessee; it stops once answered and the pool frees the device, which is all a test of
    // the device's own stop needs.
    private static Task<DeviceLeased> LeaseAsync(IActorRef pool, int trial) =>
        pool.Ask<DeviceLeased>(new LeaseDevice(new NasHpo.Core.Optimizers.TrialId(trial, 1)), TimeSpan.FromSeconds(3));

    private static async Task AwaitDevicesAsync(IActorRef pool, int count)
    {
        for (var poll = 0; poll < 100; poll++)
        {
            var state = await pool.Ask<DevicePoolState>(new GetDevicePool(), TimeSpan.FromSeconds(3));
            if (state.Devices.Count == count)
            {
                return;
            }

            await Task.Delay(30);
        }

        Assert.Fail($"the pool never held {count} devices");
    }
}
