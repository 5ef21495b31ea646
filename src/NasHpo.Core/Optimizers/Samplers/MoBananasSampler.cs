using System.Globalization;
using NasHpo.Core.Optimizers.Models;
using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Samplers;

/// <summary>Settings of MO-BANANAS (paper 001, §3.4, Algorithm 5, Appendix B.4); defaults follow BANANAS where the paper is silent.</summary>
internal sealed record MoBananasSettings
{
    /// <summary>Neural predictors in the ensemble, each trained from its own seed (paper 001: 5).</summary>
    public int EnsembleSize { get; init; } = 5;

    /// <summary>n_mut: the best observations (non-dominated sorting, then crowding distance) that are mutated.</summary>
    public int Parents { get; init; } = 10;

    /// <summary>Mutated candidates per suggestion, spread evenly over the parents (BANANAS: 100 from 10 parents).</summary>
    public int Candidates { get; init; } = 100;

    /// <summary>σ of the Gaussian noise added to every coordinate of a parent in the unit cube (reflected into [0, 1]).</summary>
    public double MutationStdDev { get; init; } = 0.1;

    /// <summary>
    /// Fraction of suggestions drawn uniformly at random whatever the predictors say. The paper does not say; 1/6 is
    /// MO-BOHB's value (B.2), and without it the search around ten parents lost coverage of a three-objective front.
    /// </summary>
    public double RandomFraction { get; init; } = 1.0 / 6;

    /// <summary>Observations a budget needs before the predictors learn from it; null = d + 2.</summary>
    public int? MinPointsInModel { get; init; }

    public NeuralPredictorSettings Predictor { get; init; } = new();

    public void Validate()
    {
        if (EnsembleSize < 1 || Parents < 1 || Candidates < 1 || !(MutationStdDev > 0) || !double.IsFinite(MutationStdDev)
            || !(RandomFraction is >= 0 and <= 1) || MinPointsInModel is < 2)
        {
            throw new ArgumentException(
                $"invalid MO-BANANAS settings: need ensemble size ≥ 1, parents ≥ 1, candidates ≥ 1, a finite step > 0, "
                + $"a random fraction in [0, 1] and at least 2 points in a model (got {this})");
        }

        Predictor.Validate();
    }
}

/// <summary>
/// MO-BANANAS' proposals (paper 001, §3.4, Algorithm 5, B.4), for Hyperband's successive halving with η = 3 to run:
/// an ensemble of neural predictors learns every objective from the observations of the largest budget that has
/// enough of them, on the unit-cube encoding; the best observations by non-dominated sorting and crowding distance
/// are mutated by Gaussian noise in [0, 1] and decoded (discretised) into candidates; each candidate is scored by one
/// ensemble member drawn at random for it (independent Thompson sampling), and the best score is proposed.
/// </summary>
/// <remarks>
/// The score is the hypervolume the predicted point would add to the current front of that budget, in objective
/// space normalised by the observed ranges (reference 1.1): it is the quantity the study reports, it orders
/// non-dominated candidates by how much of the front they would improve (a non-dominated-sorting rank would call
/// them all equal, and crowding among candidates depends on which other candidates happen to be drawn), and it does
/// not depend on the objectives' units. A predicted point that adds nothing scores minus how far it would have to
/// move (the same in every objective) to stop being dominated, so even then the nearest to the front wins.
/// The ensemble is a pure function of (seed, budget, the observations of that budget), so it is cached and
/// retrained only when an observation arrives at the budget it learns from; a replayed study gets the same
/// proposals whether the cache was warm or not. Inactive parameters enter the predictors as 0.5 with an
/// activity flag per conditional parameter, so "absent" is a value of its own and no NaN reaches the network.
/// </remarks>
internal sealed class MoBananasSampler : IConfigurationSampler
{
    private readonly MoBananasSettings _settings;
    private readonly long _seed;
    private readonly double[]? _referencePoint;
    private Trained? _cache;

    public MoBananasSampler(MoBananasSettings settings, long seed, IReadOnlyList<double>? referencePoint = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
        _seed = seed;
        _referencePoint = referencePoint?.ToArray();
    }

    public MoBananasSettings Settings => _settings;

    /// <summary>How many times an ensemble has been trained (the cache's misses): for tests of the cache.</summary>
    public int Trainings { get; private set; }

    public int MinPointsInModel(SearchSpace space) => _settings.MinPointsInModel ?? (space.Dimension + 2);

    public Configuration Sample(SamplingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var space = context.Space;
        var random = context.Random;

        // The coin is tossed first and always, so a suggestion's random stream does not depend on the model's state.
        if (random.NextDouble() < _settings.RandomFraction)
        {
            return space.Sample(random);
        }

        if (context.History.LargestBudgetWithAtLeast(MinPointsInModel(space)) is not { } budget)
        {
            return space.Sample(random);
        }

        var observations = context.History.At(budget);
        var finite = observations.Where(o => !o.Failed).ToArray();
        if (finite.Length < 2)
        {
            return space.Sample(random);
        }

        var ensemble = Ensemble(context.History, space, budget, observations.Count, finite);
        var points = finite.Select(o => o.Objectives).ToArray();
        var scorer = new FrontScorer(points, _referencePoint);
        var parents = BestByCrowdedSorting(points, _settings.Parents).Select(i => finite[i].Encoded).ToArray();
        var seen = context.History.All.Select(o => o.Configuration.Fingerprint).ToHashSet();

        Configuration? best = null;
        var bestScore = double.NegativeInfinity;
        var mutated = new double[space.Dimension];
        for (var c = 0; c < _settings.Candidates; c++)
        {
            var parent = parents[c % parents.Length];
            for (var j = 0; j < mutated.Length; j++)
            {
                // Two draws per coordinate whatever happens, so the stream position never depends on values. An
                // inactive parameter has no value to stay near and starts anywhere.
                var fresh = random.NextDouble();
                var step = _settings.MutationStdDev * Gaussian.Next(random);
                mutated[j] = Reflect((double.IsNaN(parent[j]) ? fresh : parent[j]) + step);
            }

            var member = random.Next(ensemble.Length);
            var candidate = space.Decode(mutated);

            // Discretisation can land on a configuration already evaluated; running it again teaches nothing.
            if (!seen.Add(candidate.Fingerprint))
            {
                continue;
            }

            var score = scorer.Score(ensemble[member].Predict(PredictorInput(space, space.Encode(candidate))));
            if (score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best ?? space.Sample(random);
    }

    /// <summary>
    /// Indices of the k best points: whole non-dominated fronts in order, and within the front that does not fit,
    /// the largest crowding distance first (NSGA-II's crowded comparison; ties keep arrival order).
    /// </summary>
    internal static int[] BestByCrowdedSorting(IReadOnlyList<double[]> points, int k)
    {
        var selected = new List<int>(Math.Min(k, points.Count));
        foreach (var front in NonDominatedSorting.Sort(points))
        {
            if (selected.Count >= k)
            {
                break;
            }

            var crowding = CrowdingDistance.Compute(points, front);
            var order = Enumerable.Range(0, front.Length).OrderByDescending(m => crowding[m]).ThenBy(m => front[m]);
            selected.AddRange(order.Take(k - selected.Count).Select(m => front[m]));
        }

        return selected.ToArray();
    }

    /// <summary>The network's input: every encoded coordinate (0.5 when inactive), then one 0/1 activity flag per conditional parameter.</summary>
    internal static double[] PredictorInput(SearchSpace space, double[] encoded)
    {
        var parameters = space.Parameters;
        var conditional = parameters.Count(p => p.Conditions.Count > 0);
        var input = new double[encoded.Length + conditional];
        var flag = encoded.Length;
        for (var j = 0; j < encoded.Length; j++)
        {
            var active = !double.IsNaN(encoded[j]);
            input[j] = active ? encoded[j] : 0.5;
            if (parameters[j].Conditions.Count > 0)
            {
                input[flag++] = active ? 1 : 0;
            }
        }

        return input;
    }

    private static double Reflect(double u)
    {
        // Reflection rather than clamping: clamping would pile candidates onto the bounds and favour problems whose
        // optimum happens to lie there.
        u = Math.Abs(u) % 2.0;
        return u > 1.0 ? 2.0 - u : u;
    }

    private NeuralPredictor[] Ensemble(ObservationHistory history, SearchSpace space, double budget, int count, Observation[] finite)
    {
        // Observations of a budget only ever grow, so (history, budget, count) names the training set exactly.
        if (_cache is { } cached && ReferenceEquals(cached.History, history) && cached.Budget == budget && cached.Count == count)
        {
            return cached.Members;
        }

        var inputs = finite.Select(o => PredictorInput(space, o.Encoded)).ToArray();
        var targets = finite.Select(o => o.Objectives).ToArray();
        var members = new NeuralPredictor[_settings.EnsembleSize];
        var purpose = string.Create(CultureInfo.InvariantCulture, $"mo-bananas-b{budget:R}-member-");
        for (var m = 0; m < members.Length; m++)
        {
            members[m] = NeuralPredictor.Train(inputs, targets, _settings.Predictor, DeterministicRandom.Derive(_seed, count, purpose + m.ToString(CultureInfo.InvariantCulture)));
        }

        Trainings++;
        _cache = new Trained(history, budget, count, members);
        return members;
    }

    private sealed record Trained(ObservationHistory History, double Budget, int Count, NeuralPredictor[] Members);

    /// <summary>Scores predicted points against the front of the observations.</summary>
    internal sealed class FrontScorer
    {
        private const double TightReferenceMargin = 0.1;

        private readonly double[] _low;
        private readonly double[] _range;
        private readonly double[][] _front;
        private readonly double[] _reference;
        private readonly double _frontVolume;
        private readonly double[][] _sortedFront;

        public FrontScorer(double[][] points, double[]? studyReference)
        {
            var dimension = points[0].Length;
            _low = new double[dimension];
            _range = new double[dimension];
            for (var d = 0; d < dimension; d++)
            {
                var low = points.Min(p => p[d]);
                var high = points.Max(p => p[d]);
                _low[d] = low;
                _range[d] = high > low ? high - low : 1.0;
            }

            _front = NonDominatedSorting.FirstFront(points).Select(i => points[i]).ToArray();

            // The study's reference when there is one: it is what the study's hypervolume is measured against, and a
            // reference just beyond the observed worst values would inflate any candidate extreme in one objective.
            _reference = studyReference is { } given && given.Length == dimension && _front.Any(p => ParetoInput.StrictlyInside(p, given))
                ? given
                : Enumerable.Range(0, dimension).Select(d => _low[d] + ((1 + TightReferenceMargin) * _range[d])).ToArray();
            _frontVolume = Hypervolume.Compute(_front, _reference);
            _sortedFront = _front.Where(p => p.Length == 2).OrderBy(p => p[0]).ThenBy(p => p[1]).ToArray();
        }

        public double Score(double[] predicted)
        {
            if (predicted.Any(v => !double.IsFinite(v)))
            {
                return double.NegativeInfinity;
            }

            // A ReLU network extrapolates linearly, and the best of many Thompson draws is the wildest of them: left
            // alone, the pick goes to whichever candidate some member places far beyond the best value ever observed
            // in one objective (on DTLZ2 that lost to random search). No prediction is believed beyond that value.
            var point = new double[predicted.Length];
            for (var d = 0; d < point.Length; d++)
            {
                point[d] = Math.Max(predicted[d], _low[d]);
            }

            // Only a point that no front member weakly dominates can add hypervolume; the check spares the computation.
            if (!_front.Any(member => NoWorseEverywhere(member, point)))
            {
                var improvement = point.Length == 2 ? Improvement2D(point) : Hypervolume.Compute([.. _front, point], _reference) - _frontVolume;
                if (improvement > 0)
                {
                    return improvement;
                }
            }

            // How far the point would have to move, equally in every objective (in units of the observed ranges), to
            // escape every front member's dominance and the reference's bound.
            var escape = double.NegativeInfinity;
            foreach (var member in _front)
            {
                var smallestGap = double.PositiveInfinity;
                for (var d = 0; d < point.Length; d++)
                {
                    smallestGap = Math.Min(smallestGap, (point[d] - member[d]) / _range[d]);
                }

                escape = Math.Max(escape, smallestGap);
            }

            for (var d = 0; d < point.Length; d++)
            {
                escape = Math.Max(escape, (point[d] - _reference[d]) / _range[d]);
            }

            return -Math.Max(escape, 0);
        }

        /// <summary>
        /// The hypervolume a point no front member weakly dominates adds, with two objectives: the area between it and
        /// the front's staircase, swept in f1 order (O(n); the general computation took most of a proposal's time).
        /// </summary>
        internal double Improvement2D(double[] point)
        {
            var (x, y) = (point[0], point[1]);
            if (!(x < _reference[0] && y < _reference[1]))
            {
                return 0;
            }

            // The staircase height at x: the lowest f2 among members with f1 ≤ x (the reference when none).
            var height = _reference[1];
            var next = 0;
            while (next < _sortedFront.Length && _sortedFront[next][0] <= x)
            {
                height = Math.Min(height, _sortedFront[next][1]);
                next++;
            }

            var area = 0.0;
            var left = x;
            while (height > y && left < _reference[0])
            {
                var right = next < _sortedFront.Length ? Math.Min(_sortedFront[next][0], _reference[0]) : _reference[0];
                area += (right - left) * (Math.Min(height, _reference[1]) - y);
                if (next >= _sortedFront.Length)
                {
                    break;
                }

                height = Math.Min(height, _sortedFront[next][1]);
                left = right;
                next++;
            }

            return area;
        }

        private static bool NoWorseEverywhere(double[] member, double[] point)
        {
            for (var d = 0; d < point.Length; d++)
            {
                if (member[d] > point[d])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
