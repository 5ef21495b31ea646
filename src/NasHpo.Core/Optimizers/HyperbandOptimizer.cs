using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>Settings shared by the Hyperband family (random search is the one-bracket case min = max budget).</summary>
public sealed record HyperbandSettings
{
    public required double MinBudget { get; init; }

    public required double MaxBudget { get; init; }

    public double Eta { get; init; } = 3;

    /// <summary>
    /// When set, promotions rank by this objective alone (single-objective methods such as BOHB in a study with
    /// several objectives); when null, by non-dominated sorting and hypervolume subset selection over all.
    /// </summary>
    public int? PromotionObjective { get; init; }

    /// <summary>Stop after this many brackets have been started; null runs until the study's stop criterion.</summary>
    public long? MaxBrackets { get; init; }

    /// <summary>
    /// How many brackets may be open at once. A new bracket starts only when no open one has a trial to start,
    /// so with one device this never matters; with many it keeps devices busy while a rung waits to fill.
    /// </summary>
    public int MaxOpenBrackets { get; init; } = int.MaxValue;
}

/// <summary>
/// Hyperband over synchronous successive-halving brackets, with new configurations proposed by a sampler:
/// uniformly (Hyperband, and random search when min = max budget), by TPE on the largest budget with enough
/// observations (BOHB), or by MOTPE (MO-BOHB). Promotion to the next rung passes the parent trial so the engine
/// can continue from its checkpoint.
/// </summary>
public sealed class HyperbandOptimizer : IOptimizer
{
    private readonly SearchSpace _space;
    private readonly IConfigurationSampler _sampler;
    private readonly HyperbandSettings _settings;
    private readonly long _seed;
    private readonly HyperbandSchedule _schedule;
    private readonly Dictionary<long, Configuration> _configurations = [];
    private readonly SortedDictionary<long, SuccessiveHalvingBracket> _open = [];
    private readonly Dictionary<TrialId, TrialRequest> _scheduled = [];
    private readonly HashSet<TrialId> _reported = [];
    private long _nextConfigurationId;
    private long _bracketsStarted;

    public HyperbandOptimizer(SearchSpace space, IConfigurationSampler sampler, HyperbandSettings settings, long seed)
    {
        _space = space;
        _sampler = sampler;
        _settings = settings;
        _seed = seed;
        _schedule = new HyperbandSchedule(settings.MinBudget, settings.MaxBudget, settings.Eta);
    }

    public HyperbandSchedule Schedule => _schedule;

    public ObservationHistory History { get; } = new();

    /// <summary>Brackets that still have trials to start or finish, lowest first.</summary>
    public IEnumerable<SuccessiveHalvingBracket> OpenBrackets => _open.Values;

    public IReadOnlyCollection<long> OpenBracketIds => _open.Keys;

    public OptimizerDecision Decide()
    {
        foreach (var bracket in _open.Values)
        {
            if (bracket.NextPromotion() is var (configurationId, rung))
            {
                var budget = bracket.Plan.Rungs[rung].Budget;
                var parent = new TrialId(configurationId, bracket.Plan.Rungs[rung - 1].Budget);
                return new OptimizerDecision.Run(new TrialRequest(
                    new TrialId(configurationId, budget), _configurations[configurationId], bracket.Index, rung, parent));
            }

            if (bracket.NeedsNewConfiguration)
            {
                return new OptimizerDecision.Run(Propose(bracket.Index, bracket.Plan));
            }
        }

        if (_settings.MaxBrackets is { } max && _bracketsStarted >= max)
        {
            return _open.Count == 0 ? OptimizerDecision.Done : OptimizerDecision.WaitForResults;
        }

        if (_open.Count >= _settings.MaxOpenBrackets)
        {
            return OptimizerDecision.WaitForResults;
        }

        return new OptimizerDecision.Run(Propose(_bracketsStarted, _schedule.ForIteration(_bracketsStarted)));
    }

    public void Apply(TrialRequest scheduled)
    {
        if (_scheduled.ContainsKey(scheduled.Id))
        {
            return;
        }

        if (!_open.TryGetValue(scheduled.Bracket, out var bracket))
        {
            if (scheduled.Bracket != _bracketsStarted)
            {
                throw new InvalidOperationException(
                    $"{scheduled.Id} names bracket {scheduled.Bracket}, but the next bracket to open is {_bracketsStarted}");
            }

            bracket = new SuccessiveHalvingBracket(scheduled.Bracket, _schedule.ForIteration(scheduled.Bracket), SelectBest);
            _open.Add(bracket.Index, bracket);
            _bracketsStarted++;
        }

        if (scheduled.Rung == 0)
        {
            _configurations[scheduled.Id.ConfigurationId] = scheduled.Configuration;
            _nextConfigurationId = Math.Max(_nextConfigurationId, scheduled.Id.ConfigurationId + 1);
        }

        bracket.RecordScheduled(scheduled.Id.ConfigurationId, scheduled.Rung);
        _scheduled.Add(scheduled.Id, scheduled);
    }

    public void Apply(TrialResult result)
    {
        if (!_scheduled.TryGetValue(result.Id, out var request))
        {
            throw new InvalidOperationException($"result for {result.Id}, which was never scheduled");
        }

        if (!_reported.Add(result.Id))
        {
            return;
        }

        var objectives = result.Objectives?.ToArray();
        var failed = objectives is null || objectives.Any(v => !double.IsFinite(v));
        History.Add(new Observation(
            request.Configuration,
            _space.Encode(request.Configuration),
            result.Id.Budget,
            failed ? Enumerable.Repeat(double.PositiveInfinity, objectives?.Length ?? 1).ToArray() : objectives!,
            failed));

        if (_open.TryGetValue(request.Bracket, out var bracket))
        {
            bracket.RecordResult(result.Id.ConfigurationId, request.Rung, failed ? null : objectives);
            if (bracket.IsComplete)
            {
                _open.Remove(bracket.Index);
            }
        }
    }

    private TrialRequest Propose(long bracketIndex, BracketPlan plan)
    {
        var configurationId = _nextConfigurationId;
        var budget = plan.Rungs[0].Budget;
        var random = DeterministicRandom.Derive(_seed, configurationId, "sample");
        var configuration = _sampler.Sample(new SamplingContext(_space, History, configurationId, budget, random));
        return new TrialRequest(new TrialId(configurationId, budget), configuration, bracketIndex, 0, null);
    }

    private int[] SelectBest(IReadOnlyList<double[]> points, int k) =>
        _settings.PromotionObjective is { } index
            ? Promotion.SelectBest(points.Select(p => new[] { p[index] }).ToArray(), k)
            : Promotion.SelectBest(points, k);
}
