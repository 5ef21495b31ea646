using Akka.Actor;
using NasHpo.Actors.Cluster;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Devices;

/// <summary>Asks the pool for a free device; answered with <see cref="DeviceLeased"/> once one is free (queued until then).</summary>
internal sealed record LeaseDevice(TrialId Trial);

/// <summary>
/// The device is the trial's until it sends <see cref="ReleaseDevice"/> or stops. <see cref="Queued"/>: the device is
/// running another trial and starts this one after it (it says so with <see cref="TrialRunStarted"/>).
/// </summary>
internal sealed record DeviceLeased(TrialId Trial, IActorRef Device, string DeviceName)
{
    public bool Queued { get; init; }
}

/// <summary>Hands a leased device back to the pool.</summary>
internal sealed record ReleaseDevice(TrialId Trial, string DeviceName);

/// <summary>Withdraws a lease request that has not been served (the trial stopped first).</summary>
internal sealed record CancelLease(TrialId Trial);

/// <summary>
/// How a study's trials run: the workload, where training state is kept (null: nowhere, every trial starts from
/// scratch), and whether promoted trials continue from their parent's state. <see cref="Portable"/>, set in a
/// cluster, is the same in a form that crosses nodes; trials then send it instead of the workload object.
/// </summary>
internal sealed record TrialExecution(IWorkload Workload, ICheckpointStore? Checkpoints, bool ContinueFromParent)
{
    public PortableExecution? Portable { get; init; }
}

/// <summary>
/// Runs one trial on the device's own thread; the result goes to the sender. <see cref="LeaseHolder"/>, the pool
/// that leased the device, hears from the device the moment the run ends (null: nobody; a run outside any lease).
/// </summary>
internal sealed record RunTrial(TrialRequest Request, TrialExecution Execution)
{
    public IActorRef? LeaseHolder { get; init; }

    /// <summary>Leased while the device runs another trial: held until that run ends, then started (<see cref="TrialRunStarted"/>).</summary>
    public bool Queued { get; init; }
}

/// <summary>Cancels the running trial, if it is this one.</summary>
internal sealed record CancelTrial(TrialId Trial) : IClusterMessage;

/// <summary>A queued run started: the device's previous run ended.</summary>
internal sealed record TrialRunStarted(TrialId Trial, string DeviceName) : IClusterMessage;

/// <summary>The run ended: a result, or the reason it failed.</summary>
internal sealed record TrialRunFinished(TrialId Trial, WorkloadResult? Result, string? FailureReason, TimeSpan Duration, string DeviceName) : IClusterMessage;

/// <summary>A running trial made progress.</summary>
internal sealed record TrialRunProgress(TrialId Trial, WorkloadProgress Progress, string DeviceName) : IClusterMessage;

/// <summary>The device refused work because it is running another trial (a lease was not respected).</summary>
internal sealed record DeviceBusy(TrialId Trial, string DeviceName) : IClusterMessage;

/// <summary>
/// A device tells its lease holder (the pool that leased it, on this node or the cluster's coordinator) that a run
/// ended, so the device is free, and how long it kept the device busy.
/// </summary>
internal sealed record DeviceWorked(string DeviceName, TrialId Trial, TimeSpan Duration) : IClusterMessage;

/// <summary>Asks the pool how busy its devices have been (the time their runs took since the pool started).</summary>
internal sealed record GetDeviceUtilisation;

/// <summary>Per device: time spent running workloads since the pool started, and the pool's age.</summary>
internal sealed record DeviceUtilisation(IReadOnlyDictionary<string, TimeSpan> Busy, TimeSpan Elapsed);

/// <summary>Asks a node's devices (<see cref="NodeDevices"/>) for their actors: for its own pool, or to announce them to the cluster.</summary>
internal sealed record ListDevices;

/// <summary>A node's devices with their actors.</summary>
internal sealed record DevicesListed(IReadOnlyList<AnnouncedDevice> Devices);

/// <summary>Asks the pool what it knows (for logs and tests).</summary>
internal sealed record GetDevicePool;

/// <summary>The devices the pool can lease, how many are leased, and how many trials wait.</summary>
internal sealed record DevicePoolState(IReadOnlyList<string> Devices, int Leased, int Waiting);
