using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Workloads;

/// <summary>
/// A synthetic problem as a workload: the objectives at the trial's budget, after the problem's delay scaled by
/// budget / max budget, which stands in for training time.
/// </summary>
internal sealed class SyntheticWorkload : IWorkload
{
    private readonly SyntheticProblem _problem;
    private readonly double _maxBudget;

    public SyntheticWorkload(SyntheticProblem problem, double maxBudget)
    {
        _problem = problem;
        _maxBudget = maxBudget;
    }

    public IReadOnlyList<Objective> Objectives => _problem.Objectives;

    public SyntheticProblem Problem => _problem;

    /// <summary>
    /// Write a checkpoint per trial (the devices that worked on the configuration so far) and make a promoted trial
    /// read its parent's, failing when it is missing: checkpoint handling tested without training.
    /// </summary>
    public bool KeepsCheckpoints { get; init; }

    /// <summary>The metric that counts the devices that worked on a configuration, this trial included.</summary>
    public const string CheckpointChainMetric = "checkpoint-chain";

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var chain = KeepsCheckpoints && context.Checkpoints is not null ? ReadParentChain(request, context) : null;
        var delay = _problem.Delay * (request.Id.Budget / _maxBudget);
        if (delay > TimeSpan.Zero && context.Cancellation.WaitHandle.WaitOne(delay))
        {
            context.Cancellation.ThrowIfCancellationRequested();
        }

        var objectives = _problem.Evaluate(request.Configuration, request.Id.Budget, _maxBudget);
        if (chain is null)
        {
            return WorkloadResult.Of(objectives);
        }

        chain.Add(context.Device);
        var path = context.Checkpoints!.PathFor(request.Id);
        var temporary = path + ".tmp";
        File.WriteAllLines(temporary, chain);
        File.Move(temporary, path, overwrite: true);
        return new WorkloadResult(objectives, new Dictionary<string, double> { [CheckpointChainMetric] = chain.Count });
    }

    private static List<string> ReadParentChain(TrialRequest request, WorkloadContext context)
    {
        if (request.Parent is not { } parent || !context.ContinueFromParent)
        {
            return [];
        }

        var path = context.Checkpoints!.PathFor(parent);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the checkpoint of parent trial {parent} is missing at {path}");
        }

        return [.. File.ReadAllLines(path)];
    }
}
