using NasHpo.Core.Fidelity;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Samplers;

/// <summary>Settings of the TPE-style samplers; the defaults of each method are in its factory method.</summary>
internal sealed record TreeParzenSettings
{
    /// <summary>Fraction of suggestions drawn uniformly at random whatever the model says (ρ).</summary>
    public required double RandomFraction { get; init; }

    /// <summary>Share of a budget's observations that make up the "good" density l(x).</summary>
    public required double GoodFraction { get; init; }

    /// <summary>Candidates drawn from l(x) per suggestion; the best l/g wins.</summary>
    public required int Candidates { get; init; }

    /// <summary>Widening of the kernels when drawing candidates (b_w); scoring uses the plain bandwidths.</summary>
    public required double BandwidthFactor { get; init; }

    /// <summary>Minimum observations a budget needs before a model is built on it; null = the method's default for the space.</summary>
    public int? MinPointsInModel { get; init; }

    public double MinBandwidth { get; init; } = 1e-3;

    /// <summary>
    /// Distinct configurations, over all budgets, from which a model is built while no single budget has
    /// <see cref="MinPointsInModel"/> observations; 0 = no such model (the papers' rule: random proposals until
    /// then); null = the method's default: d + 2 (BOHB's own threshold for a model) for MO-BOHB, none for BOHB.
    /// </summary>
    public int? EarlyModelPoints { get; init; }
}

/// <summary>
/// Tree-structured Parzen estimator sampling on the largest budget with enough observations, as in BOHB
/// (paper 000: one multivariate KDE, good/bad split by the objective's quantile) and MO-BOHB (paper 001,
/// Algorithm 3: one-dimensional KDEs, good/bad split by non-dominated sorting and hypervolume subset selection).
/// </summary>
internal sealed class TreeParzenSampler : IConfigurationSampler
{
    private readonly TreeParzenSettings _settings;
    private readonly bool _multiObjective;
    private readonly int? _objective;

    private TreeParzenSampler(TreeParzenSettings settings, bool multiObjective, int? objective)
    {
        if (settings.RandomFraction is < 0 or > 1 || settings.GoodFraction is <= 0 or >= 1 || settings.Candidates < 1 || settings.BandwidthFactor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "random fraction in [0, 1], good fraction in (0, 1), candidates ≥ 1, bandwidth factor > 0");
        }

        _settings = settings;
        _multiObjective = multiObjective;
        _objective = objective;
    }

    public TreeParzenSettings Settings => _settings;

    public int? EarlyModelPoints(SearchSpace space) => _settings.EarlyModelPoints switch
    {
        0 => null,
        { } points => points,
        null => _multiObjective ? space.Dimension + 2 : null,
    };

    /// <summary>
    /// BOHB's sampler (Falkner et al. 2018): ρ = 1/3 random, top 15 % good, 64 candidates, b_w = 3, a model
    /// once a budget has d + 2 observations. Ranks by one objective (the first unless told otherwise).
    /// </summary>
    public static TreeParzenSampler Bohb(TreeParzenSettings? settings = null, int objective = 0) =>
        new(settings ?? new TreeParzenSettings { RandomFraction = 1.0 / 3, GoodFraction = 0.15, Candidates = 64, BandwidthFactor = 3 }, false, objective);

    /// <summary>
    /// MO-BOHB's sampler (paper 001, B.2): random fraction 1/6, quantile 0.1, 24 candidates, no bandwidth factor,
    /// a model once a budget has 2·d + 1 observations; before that, unlike the paper, a model over all budgets
    /// once d + 2 configurations have results (<see cref="TreeParzenSettings.EarlyModelPoints"/>; 0 restores the paper's rule).
    /// </summary>
    public static TreeParzenSampler MoBohb(TreeParzenSettings? settings = null) =>
        new(settings ?? new TreeParzenSettings { RandomFraction = 1.0 / 6, GoodFraction = 0.1, Candidates = 24, BandwidthFactor = 1 }, true, null);

    public int MinPointsInModel(SearchSpace space) =>
        _settings.MinPointsInModel ?? (_multiObjective ? (2 * space.Dimension) + 1 : space.Dimension + 2);

    public Configuration Sample(SamplingContext context)
    {
        var space = context.Space;
        var random = context.Random;

        // The coin is tossed first and always, so a suggestion's random stream does not depend on the model's state.
        if (random.NextDouble() < _settings.RandomFraction)
        {
            return space.Sample(random);
        }

        var budget = context.History.LargestBudgetWithAtLeast(MinPointsInModel(space));
        List<Observation> good, bad;
        if (budget is not { } modelBudget)
        {
            if (EarlyModelPoints(space) is not { } earlyMinimum)
            {
                return space.Sample(random);
            }

            // Every configuration is in one of the two sets once, so together they count the configurations.
            (good, bad) = SplitAcrossBudgets(context.History);
            if (good.Count + bad.Count < earlyMinimum)
            {
                return space.Sample(random);
            }
        }
        else
        {
            (good, bad) = Split(context.History.At(modelBudget));
        }

        if (good.Count == 0 || bad.Count == 0)
        {
            return space.Sample(random);
        }

        var joint = !_multiObjective;
        var l = new ParzenEstimator(space, good.Select(o => o.Encoded).ToArray(), joint, _settings.MinBandwidth);
        var g = new ParzenEstimator(space, bad.Select(o => o.Encoded).ToArray(), joint, _settings.MinBandwidth);

        Configuration? best = null;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _settings.Candidates; i++)
        {
            var candidate = space.Decode(l.Sample(random, _settings.BandwidthFactor));
            var encoded = space.Encode(candidate);
            var score = l.LogDensity(encoded) - g.LogDensity(encoded);
            if (best is null || score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best!;
    }

    /// <summary>
    /// The early model's split, while no budget has enough observations for a model of its own: a configuration is
    /// good when it is among the best of some budget it was trained at (the usual split, budget by budget, on
    /// budgets with three results or more), and every configuration counts once, with its encoding. Results of
    /// different budgets are never ranked against each other, so a short training's low score does not make a
    /// configuration bad beside one trained longer. Without it MO-BOHB proposes at random until one budget holds
    /// 2·d + 1 results (69 epochs of a 1–9 epoch study, its whole first Hyperband iteration); measured on the
    /// Fashion-MNIST table this model lifts its front from the end of that iteration on (README, tabular section).
    /// </summary>
    internal (List<Observation> Good, List<Observation> Bad) SplitAcrossBudgets(ObservationHistory history)
    {
        var goodConfigurations = new HashSet<Configuration>();
        foreach (var budget in history.Budgets)
        {
            var atBudget = history.At(budget);
            if (atBudget.Count >= 3)
            {
                goodConfigurations.UnionWith(Split(atBudget).Good.Select(o => o.Configuration));
            }
        }

        var good = new List<Observation>();
        var bad = new List<Observation>();
        foreach (var configuration in history.All.GroupBy(o => o.Configuration))
        {
            var latest = configuration.MaxBy(o => o.Budget)!;
            (goodConfigurations.Contains(configuration.Key) ? good : bad).Add(latest);
        }

        return (good, bad);
    }

    /// <summary>Good and bad observations of one budget; failed trials are always bad.</summary>
    internal (List<Observation> Good, List<Observation> Bad) Split(IReadOnlyList<Observation> observations)
    {
        var finite = observations.Where(o => !o.Failed).ToList();
        var goodCount = Math.Min(Math.Max((int)Math.Ceiling(_settings.GoodFraction * observations.Count), 2), observations.Count - 2);
        goodCount = Math.Min(goodCount, finite.Count);
        if (goodCount <= 0)
        {
            return ([], observations.ToList());
        }

        var points = finite.Select(o => _multiObjective ? o.Objectives : [o.Objectives[_objective ?? 0]]).ToArray();
        var goodIndices = Promotion.SelectBest(points, goodCount).ToHashSet();
        var good = new List<Observation>(goodCount);
        var bad = new List<Observation>(observations.Count - goodCount);
        for (var i = 0; i < finite.Count; i++)
        {
            (goodIndices.Contains(i) ? good : bad).Add(finite[i]);
        }

        bad.AddRange(observations.Where(o => o.Failed));
        return (good, bad);
    }
}
