namespace NasHpo.Core.Optimizers;

/// <summary>What an optimizer decided: run a trial, wait for running trials to report, or stop.</summary>
internal abstract record OptimizerDecision
{
    private OptimizerDecision()
    {
    }

    /// <summary>Schedule this trial.</summary>
    public sealed record Run(TrialRequest Request) : OptimizerDecision;

    /// <summary>Nothing can be scheduled until a running trial reports.</summary>
    public sealed record Wait : OptimizerDecision;

    /// <summary>The optimizer has nothing more to propose.</summary>
    public sealed record Finished : OptimizerDecision;

    public static readonly OptimizerDecision WaitForResults = new Wait();

    public static readonly OptimizerDecision Done = new Finished();
}

/// <summary>
/// An optimizer as an ask/tell state machine split into decide and apply, the shape event sourcing needs:
/// <see cref="Decide"/> computes the next trial without changing state (its randomness is derived from the
/// study seed and the suggestion index), the engine persists the decision as a fact, and
/// <see cref="Apply(TrialRequest)"/> / <see cref="Apply(TrialResult)"/> change state, both live and when the
/// journal is replayed. Replaying the same facts in the same order rebuilds the same state; nothing is re-sampled.
/// Applying a fact twice is harmless: the second is ignored.
/// </summary>
internal interface IOptimizer
{
    OptimizerDecision Decide();

    /// <summary>Brackets (or generations, or phases) that may still receive trials.</summary>
    IReadOnlyCollection<long> OpenBracketIds { get; }

    void Apply(TrialRequest scheduled);

    void Apply(TrialResult result);
}

internal static class OptimizerExtensions
{
    /// <summary>Decide and apply in one step, for callers that persist nothing (tests, in-memory loops).</summary>
    public static TrialRequest? Ask(this IOptimizer optimizer)
    {
        if (optimizer.Decide() is OptimizerDecision.Run run)
        {
            optimizer.Apply(run.Request);
            return run.Request;
        }

        return null;
    }

    public static void Tell(this IOptimizer optimizer, TrialResult result) => optimizer.Apply(result);
}
