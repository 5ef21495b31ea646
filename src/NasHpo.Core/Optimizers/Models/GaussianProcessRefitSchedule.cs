using NasHpo.Core.Randomness;

namespace NasHpo.Core.Optimizers.Models;

/// <summary>
/// When the Gaussian processes of a model-based optimizer (MS-EHVI, BULK &amp; CUT's constrained BO) have their
/// hyperparameters fitted: for every proposal up to <see cref="GaussianProcessFitSettings.RefitEveryProposalUpTo"/>
/// completed observations, beyond that only when the count has grown by the factor
/// <see cref="GaussianProcessFitSettings.RefitGrowth"/> since the last fit; in between, the last fitted
/// hyperparameters are conditioned on all the data (one Cholesky factorisation instead of a marginal-likelihood
/// search with restarts, which costs seconds at several hundred observations).
/// </summary>
/// <remarks>
/// A fit depends only on the seed and the first that-many observations (in the order they were applied, which the
/// journal keeps), so the cache of fitted hyperparameters never changes a decision: a resumed study, which starts
/// with it empty, fits the same values again.
/// </remarks>
internal sealed class GaussianProcessRefitSchedule
{
    private readonly long _seed;
    private readonly GaussianProcessFitSettings _fit;

    // Fitted hyperparameters per (objective, observation count they were fitted on).
    private readonly Dictionary<(int Objective, int Observations), GaussianProcessHyperparameters> _fitted = [];

    public GaussianProcessRefitSchedule(long seed, GaussianProcessFitSettings? fit)
    {
        _fit = fit ?? new GaussianProcessFitSettings();
        ArgumentOutOfRangeException.ThrowIfLessThan(_fit.RefitEveryProposalUpTo, 2, nameof(fit));
        if (!(_fit.RefitGrowth > 1.0) || !double.IsFinite(_fit.RefitGrowth))
        {
            throw new ArgumentOutOfRangeException(nameof(fit), _fit.RefitGrowth, "the refit growth must be a finite number above 1");
        }

        _seed = seed;
    }

    /// <summary>The process of one objective conditioned on every observation, with hyperparameters fitted on the schedule.</summary>
    public GaussianProcess Model(int objective, double[][] inputs, double[] targets) =>
        GaussianProcess.WithHyperparameters(inputs, targets, Hyperparameters(objective, inputs, targets));

    /// <summary>The hyperparameters fitted on the first <see cref="RefitPoint"/> observations, from the cache when there.</summary>
    public GaussianProcessHyperparameters Hyperparameters(int objective, double[][] inputs, double[] targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        var observations = RefitPoint(inputs.Length, _fit.RefitEveryProposalUpTo, _fit.RefitGrowth);
        if (!_fitted.TryGetValue((objective, observations), out var hyperparameters))
        {
            hyperparameters = GaussianProcess.Fit(
                inputs[..observations],
                targets[..observations],
                DeterministicRandom.Derive(_seed, observations, $"model-{objective}"),
                _fit).Hyperparameters;
            // Older fits are never asked for again: the observation count only grows.
            foreach (var stale in _fitted.Keys.Where(k => k.Objective == objective).ToArray())
            {
                _fitted.Remove(stale);
            }

            _fitted[(objective, observations)] = hyperparameters;
        }

        return hyperparameters;
    }

    /// <summary>
    /// The observation count the hyperparameters for <paramref name="observations"/> observations are fitted on:
    /// all of them up to <paramref name="everyUpTo"/>, then the last of the points everyUpTo, ⌈everyUpTo·g⌉,
    /// ⌈⌈everyUpTo·g⌉·g⌉, ... that has been reached (each at least one more than the one before).
    /// </summary>
    public static int RefitPoint(int observations, int everyUpTo, double growth)
    {
        if (observations <= everyUpTo)
        {
            return observations;
        }

        var point = everyUpTo;
        while (true)
        {
            var next = Math.Max(point + 1, (int)Math.Ceiling(point * growth));
            if (next > observations)
            {
                return point;
            }

            point = next;
        }
    }
}
