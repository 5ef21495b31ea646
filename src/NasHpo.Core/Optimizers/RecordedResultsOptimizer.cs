using NasHpo.Core.Objectives;

namespace NasHpo.Core.Optimizers;

/// <summary>
/// An optimizer that is told results in the journal's recorded form (see <see cref="Objective"/>) and hands the
/// one it wraps their values in minimisation space, so that a study's log-scale objectives reach every method
/// (promotion, TPE's good/bad split, EHVI, MO-BANANAS' scoring, SH-EMOA's survivors, BULK &amp; CUT's parents) as
/// log10 values while the journal keeps the measured ones. Replay applies the same recorded facts, so a resumed
/// study decides the same.
/// </summary>
internal sealed class RecordedResultsOptimizer(IOptimizer inner, ObjectiveSpace objectives) : IOptimizer
{
    public IOptimizer Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public IReadOnlyCollection<long> OpenBracketIds => Inner.OpenBracketIds;

    /// <summary>The optimizer itself when no objective is rescaled.</summary>
    public static IOptimizer Wrap(IOptimizer inner, ObjectiveSpace objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        return objectives.IsLinear ? inner : new RecordedResultsOptimizer(inner, objectives);
    }

    public OptimizerDecision Decide() => Inner.Decide();

    public void Apply(TrialRequest scheduled) => Inner.Apply(scheduled);

    public void Apply(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Inner.Apply(result.Objectives is { } recorded ? result with { Objectives = objectives.FromRecorded(recorded) } : result);
    }
}
