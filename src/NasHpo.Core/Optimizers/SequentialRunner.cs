namespace NasHpo.Core.Optimizers;

/// <summary>One evaluated trial of an in-process run.</summary>
internal sealed record EvaluatedTrial(TrialRequest Request, TrialResult Result);

/// <summary>
/// Drives an optimizer in-process, one trial at a time, with no engine and no journal: for tests, benchmarks of
/// the optimizers themselves, and comparisons of methods on synthetic problems.
/// </summary>
internal static class SequentialRunner
{
    public static IReadOnlyList<EvaluatedTrial> Run(IOptimizer optimizer, Func<TrialRequest, TrialResult> evaluate, int maxEvaluations)
    {
        var trials = new List<EvaluatedTrial>(maxEvaluations);
        while (trials.Count < maxEvaluations && optimizer.Ask() is { } request)
        {
            var result = evaluate(request);
            optimizer.Tell(result);
            trials.Add(new EvaluatedTrial(request, result));
        }

        return trials;
    }
}
