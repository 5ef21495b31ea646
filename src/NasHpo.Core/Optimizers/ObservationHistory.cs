using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>A finished trial as a model sees it. Failed trials carry +∞ in every objective: worse than anything real.</summary>
public sealed record Observation(Configuration Configuration, double[] Encoded, double Budget, double[] Objectives, bool Failed);

/// <summary>Every observation of a study, grouped by budget in the order they arrived.</summary>
public sealed class ObservationHistory
{
    private readonly SortedDictionary<double, List<Observation>> _byBudget = [];
    private readonly List<Observation> _all = [];

    public int Count => _all.Count;

    public IReadOnlyList<Observation> All => _all;

    /// <summary>Budgets that have observations, ascending.</summary>
    public IEnumerable<double> Budgets => _byBudget.Keys;

    public IReadOnlyList<Observation> At(double budget) =>
        _byBudget.TryGetValue(budget, out var list) ? list : [];

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
