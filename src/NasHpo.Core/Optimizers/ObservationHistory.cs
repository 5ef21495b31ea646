using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>A finished trial as a model sees it. Failed trials carry +∞ in every objective: worse than anything real.</summary>
internal sealed record Observation(Configuration Configuration, double[] Encoded, double Budget, double[] Objectives, bool Failed);

/// <summary>Every observation of a study, grouped by budget in the order they arrived.</summary>
internal sealed class ObservationHistory
{
    private readonly SortedDictionary<double, List<Observation>> _byBudget = [];
    private readonly List<Observation> _all = [];

    public int Count => _all.Count;

    public IReadOnlyList<Observation> All => _all;

    /// <summary>Budgets that have observations, ascending.</summary>
    public IEnumerable<double> Budgets => _byBudget.Keys;

    public IReadOnlyList<Observation> At(double budget) =>
        _byBudget.TryGetValue(budget, out var list) ? list : [];

    /// <summary>
    /// Records a finished trial of <paramref name="configuration"/> (already encoded) and returns its objectives, or
    /// null when it failed: no objectives, none at all, or one that is not finite. A failure is recorded with +∞ in
    /// every objective.
    /// </summary>
    public double[]? AddResult(Configuration configuration, double[] encoded, TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var objectives = result.Objectives?.ToArray();
        var failed = objectives is not { Length: > 0 } || objectives.Any(v => !double.IsFinite(v));
        Add(new Observation(
            configuration,
            encoded,
            result.Id.Budget,
            failed ? Enumerable.Repeat(double.PositiveInfinity, objectives is { Length: > 0 } ? objectives.Length : 1).ToArray() : objectives!,
            failed));
        return failed ? null : objectives;
    }

    public void Add(Observation observation)
    {
        if (!_byBudget.TryGetValue(observation.Budget, out var list))
        {
            list = [];
            _byBudget.Add(observation.Budget, list);
        }

        list.Add(observation);
        _all.Add(observation);
    }

    /// <summary>The largest budget with at least <paramref name="minimum"/> observations, or null.</summary>
    public double? LargestBudgetWithAtLeast(int minimum)
    {
        double? best = null;
        foreach (var (budget, list) in _byBudget)
        {
            if (list.Count >= minimum)
            {
                best = budget;
            }
        }

        return best;
    }
}
