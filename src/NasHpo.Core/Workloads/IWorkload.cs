using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;

namespace NasHpo.Core.Workloads;

/// <summary>What a trial run produced: objective values as the user reads them (not negated), plus recorded metrics.</summary>
internal sealed record WorkloadResult(IReadOnlyList<double> Objectives, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The trial's intermediate reports in order (its learning curve); empty when the workload reports none.</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    public static WorkloadResult Of(params double[] objectives) => new(objectives, new Dictionary<string, double>());
}

/// <summary>Progress of a running trial (an epoch finished, say), for live displays.</summary>
internal sealed record WorkloadProgress(double Done, double Total, string? Note = null);

/// <summary>Where trials keep their training state: one file per trial, written after every epoch and at the end.</summary>
internal interface ICheckpointStore
{
    /// <summary>The checkpoint file of a trial (it may not exist yet). Writers replace it atomically.</summary>
    string PathFor(TrialId trial);

    /// <summary>
    /// A directory of the trial's own for a program that keeps its state in several files (the command workload),
    /// created when missing. The same trial gets the same directory in every process, so an interrupted trial that
    /// runs again finds what it left; the store deletes it with the trial's checkpoint.
    /// </summary>
    string DirectoryFor(TrialId trial)
    {
        var directory = PathFor(trial) + ".d";
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The trial's directory when it exists, without creating it (a parent's, which may have been cleaned up).</summary>
    string? ExistingDirectoryFor(TrialId trial) => Directory.Exists(PathFor(trial) + ".d") ? PathFor(trial) + ".d" : null;
}

/// <summary>What a device gives the workload it runs.</summary>
internal sealed record WorkloadContext(string Device, Action<WorkloadProgress> ReportProgress, CancellationToken Cancellation)
{
    /// <summary>
    /// Where to keep training state, or null for workloads run without one (then every trial trains from scratch).
    /// A trial whose own checkpoint exists resumes from it (it was interrupted); otherwise a promoted trial starts
    /// from its parent's checkpoint when <see cref="ContinueFromParent"/> is set; otherwise it starts from scratch.
    /// </summary>
    public ICheckpointStore? Checkpoints { get; init; }

    /// <summary>Continue a promoted trial from the lower budget's state (default), or retrain from scratch as the papers did.</summary>
    public bool ContinueFromParent { get; init; } = true;
}

/// <summary>
/// A workload whose cheap objectives (parameter count, multiply-accumulates, latency) follow from a configuration
/// alone: an optimizer may ask for them without training, as MS-EHVI does for candidates it only considers.
/// </summary>
internal interface ICheapObjectives
{
    /// <summary>
    /// The values of the named cheap objectives for the configuration, in the user's direction. Only what is named
    /// is computed: an optimizer scores many candidates, and timing inference for each would dominate.
    /// </summary>
    IReadOnlyDictionary<string, double> EvaluateCheap(SearchSpaces.Configuration configuration, IReadOnlyCollection<string> names);
}

/// <summary>
/// Something a trial trains or evaluates: a synthetic problem, or a network on a dataset. Runs synchronously on
/// the device's own thread; throws to fail the trial (the message becomes the recorded reason) and honours the
/// cancellation token.
/// </summary>
internal interface IWorkload
{
    IReadOnlyList<Objective> Objectives { get; }

    WorkloadResult Run(TrialRequest request, WorkloadContext context);
}
