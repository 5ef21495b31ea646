using NasHpo.Actors.ReadSide;
using NasHpo.Configuration;
using NasHpo.Actors.Studies;

namespace NasHpo.Analysis.Comparison;

/// <summary>
/// One completed evaluation of a run, for the objective-space plots: values as measured, and in minimisation space
/// (negated when maximised, log10 on a log scale) for fronts and hypervolume.
/// </summary>
internal sealed record SampledPoint(int Evaluation, double Budget, IReadOnlyList<double> Objectives, IReadOnlyList<double> MinimizedObjectives, bool AtMaxBudget);

/// <summary>
/// A run's persisted facts turned into what the comparison needs: its evaluations in the order they finished, with
/// the budget each cost and the wall time since the study was created.
/// </summary>
internal sealed class RunHistory
{
    private RunHistory(IReadOnlyList<RunEvaluation> evaluations, IReadOnlyList<SampledPoint> samples, IReadOnlyList<double> referencePoint)
    {
        Evaluations = evaluations;
        Samples = samples;
        ReferencePoint = referencePoint;
        Trace = ComparisonAggregation.Trace(evaluations, referencePoint);
    }

    public IReadOnlyList<RunEvaluation> Evaluations { get; }

    /// <summary>Completed evaluations in finishing order, numbered from 1 as in <see cref="Trace"/>.</summary>
    public IReadOnlyList<SampledPoint> Samples { get; }

    /// <summary>The reference point the study fixed when it was created, in minimisation space (log10 on a log scale), as the hypervolume uses it.</summary>
    public IReadOnlyList<double> ReferencePoint { get; }

    public IReadOnlyList<TracePoint> Trace { get; }

    public double FinalHypervolume => Trace[^1].Hypervolume;

    /// <summary>
    /// Reads a study's ledger. Evaluations are ordered by the time they finished (ledger order breaks ties). The
    /// budget an evaluation cost is counted as the stop criterion counts it (<see cref="BudgetCharge"/>). Only
    /// maximum-budget results count for the hypervolume.
    /// </summary>
    public static RunHistory From(StudyRecord record, StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(definition);
        var created = record.Created ?? throw new ArgumentException($"study {record.StudyId} has no creation event", nameof(record));
        var maxBudget = definition.Optimizer.MaxBudget;

        var finished = record.Trials
            .Select((trial, ledgerIndex) => (trial, ledgerIndex, at: trial.Completed?.CompletedAt ?? trial.Failed?.FailedAt))
            .Where(t => t.at is not null)
            .OrderBy(t => t.at!.Value)
            .ThenBy(t => t.ledgerIndex)
            .ToArray();

        var objectives = definition.ObjectiveSpace;
        var evaluations = new List<RunEvaluation>(finished.Length);
        var samples = new List<SampledPoint>();
        foreach (var (trial, _, at) in finished)
        {
            var budget = trial.Id.Budget;
            var wallSeconds = Math.Max(0.0, (at!.Value - created.CreatedAt).TotalSeconds);
            if (trial.Completed is { } completed)
            {
                var atMax = budget >= maxBudget;
                var minimized = objectives.FromRecorded(completed.Objectives);
                evaluations.Add(new RunEvaluation(BudgetCharge.Completed(definition, trial.Id, completed.Metrics), wallSeconds, minimized, atMax));
                samples.Add(new SampledPoint(evaluations.Count, budget, objectives.RecordedToUser(completed.Objectives), minimized, atMax));
            }
            else
            {
                evaluations.Add(new RunEvaluation(BudgetCharge.Failed(trial.Id), wallSeconds, null, false));
            }
        }

        return new RunHistory(evaluations, samples, objectives.FromRecorded(created.ReferencePoint));
    }
}
