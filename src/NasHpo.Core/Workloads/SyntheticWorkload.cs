using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Workloads;

/// <summary>
/// A synthetic problem as a workload: the objectives at the trial's budget, after the problem's delay scaled by
/// budget / max budget, which stands in for training time.
/// </summary>
public sealed class SyntheticWorkload : IWorkload
{
    private readonly SyntheticProblem _problem;
    private readonly double _maxBudget;

    public SyntheticWorkload(SyntheticProblem problem, double maxBudget)
    {
        _problem = problem;
        _maxBudget = maxBudget;
    }

    public IReadOnlyList<Objective> Objectives => _problem.Objectives;

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        var delay = _problem.Delay * (request.Id.Budget / _maxBudget);
        if (delay > TimeSpan.Zero && context.Cancellation.WaitHandle.WaitOne(delay))
        {
            context.Cancellation.ThrowIfCancellationRequested();
        }

        return WorkloadResult.Of(_problem.Evaluate(request.Configuration, request.Id.Budget, _maxBudget));
    }
}
