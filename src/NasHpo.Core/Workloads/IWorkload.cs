using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;

namespace NasHpo.Core.Workloads;

/// <summary>What a trial run produced: objective values as the user reads them (not negated), plus recorded metrics.</summary>
public sealed record WorkloadResult(IReadOnlyList<double> Objectives, IReadOnlyDictionary<string, double> Metrics)
{
    public static WorkloadResult Of(params double[] objectives) => new(objectives, new Dictionary<string, double>());
}

/// <summary>Progress of a running trial (an epoch finished, say), for live displays.</summary>
public sealed record WorkloadProgress(double Done, double Total, string? Note = null);

/// <summary>What a device gives the workload it runs.</summary>
public sealed record WorkloadContext(string Device, Action<WorkloadProgress> ReportProgress, CancellationToken Cancellation);

/// <summary>
/// Something a trial trains or evaluates: a synthetic problem, or a network on a dataset. Runs synchronously on
/// the device's own thread; throws to fail the trial (the message becomes the recorded reason) and honours the
/// cancellation token.
/// </summary>
public interface IWorkload
{
    IReadOnlyList<Objective> Objectives { get; }

    WorkloadResult Run(TrialRequest request, WorkloadContext context);
}
