using NasHpo.Actors.ReadSide;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Tabular;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What a trial costs in the study's budget unit (epochs, seconds of training, or a synthetic problem's fidelity
/// units). The stop criterion <c>stop.max-budget-spent</c> and <c>compare</c>'s "budget spent" count it alike.
/// </summary>
internal static class BudgetCharge
{
    /// <summary>
    /// A completed trial costs its budget, less the epochs its parent had already trained when it continued from the
    /// parent's checkpoint (the training workload reports them as the metric <see cref="TabularWorkload.StartEpoch"/>, <c>start-epoch</c>,
    /// as a tabular replay does; NasHpo.Training's FashionMnistWorkload.StartEpoch has the same value).
    /// </summary>
    public static double Completed(StudyDefinition definition, TrialId trial, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(metrics);
        var alreadyTrained = definition.Optimizer.BudgetUnit == OptimizerDefinition.Epochs && metrics.TryGetValue(TabularWorkload.StartEpoch, out var start)
            ? start
            : 0.0;
        return Math.Max(0.0, trial.Budget - alreadyTrained);
    }

    /// <summary>A failed trial costs its whole budget: nothing says how far it got.</summary>
    public static double Failed(TrialId trial) => trial.Budget;

    /// <summary>A finished trial: <see cref="Completed"/> when it has a completion, else <see cref="Failed"/>.</summary>
    public static double Finished(StudyDefinition definition, TrialId trial, TrialCompleted? completion) =>
        completion is null ? Failed(trial) : Completed(definition, trial, completion.Metrics);

    /// <summary>What the finished trials of a study recorded in a journal cost.</summary>
    public static double Spent(StudyDefinition definition, StudyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Trials.Where(t => t.Completed is not null || t.Failed is not null).Sum(t => Finished(definition, t.Id, t.Completed));
    }

    /// <summary>
    /// What a trial is expected to cost before it runs: its budget, less its parent's when a network continues from
    /// the parent's checkpoint or replays a table (a synthetic problem, a seconds budget or retraining pays the whole budget).
    /// </summary>
    public static double Expected(StudyDefinition definition, TrialRequest request)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(request);
        // A tabular replay stands for trained networks: it continues as they do.
        var continues = (!definition.Problem.IsSynthetic || definition.Problem.Tabular is not null)
            && definition.Optimizer.ContinueFromCheckpoint
            && definition.Optimizer.BudgetUnit == OptimizerDefinition.Epochs;
        return continues && request.Parent is { } parent ? Math.Max(0.0, request.Id.Budget - parent.Budget) : request.Id.Budget;
    }
}
