using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>When the successive-halving methods move a configuration to the next budget.</summary>
internal enum PromotionMode
{
    /// <summary>As the papers do it: a rung promotes once all of its trials have reported.</summary>
    Synchronous,

    /// <summary>
    /// ASHA (Li et al. 2020): a configuration moves up as soon as it is among the best ⌊n/η⌋ of the n results its
    /// rung has so far; otherwise a new configuration starts, so devices never wait for a rung to fill.
    /// </summary>
    Asynchronous,
}

/// <summary>Settings shared by the Hyperband family (random search is the one-bracket case min = max budget).</summary>
internal sealed record HyperbandSettings
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

    /// <summary>Synchronous brackets (the default) or asynchronous ladders; see <see cref="HyperbandOptimizer"/>.</summary>
    public PromotionMode Promotion { get; init; } = PromotionMode.Synchronous;

    /// <summary>
    /// How a synchronous rung with several objectives ranks its results (see <see cref="PromotionRanking"/>).
    /// Asynchronous ladders always use <see cref="PromotionRanking.NonDominatedSorting"/>: they re-rank whenever asked,
    /// and a ranking that also depended on the study's front would depend on when it was asked, not on the journal.
    /// </summary>
    public PromotionRanking Ranking { get; init; } = PromotionRanking.HypervolumeGain;
}

/// <summary>
/// Hyperband over successive-halving brackets, with new configurations proposed by a sampler: uniformly
/// (Hyperband, and random search when min = max budget), by TPE on the largest budget with enough observations
/// (BOHB), or by MOTPE (MO-BOHB). Promotion to the next rung passes the parent trial so the engine can continue
/// from its checkpoint.
/// </summary>
/// <remarks>
/// <para>
/// Synchronous promotion (the papers'): brackets k = 0, 1, 2, … follow <see cref="HyperbandSchedule.ForIteration"/>;
/// a rung promotes its best configurations once every trial of the rung has reported, and new brackets open while
/// the open ones wait (up to <see cref="HyperbandSettings.MaxOpenBrackets"/>).
/// </para>
/// <para>
/// Asynchronous promotion (asynchronous Hyperband, Li et al. 2020, §3.3): each of Hyperband's brackets s is one
/// ASHA ladder (<see cref="AsynchronousLadder"/>) with its own minimum budget b_max·η^(−s) and the same rung budgets
/// as the synchronous bracket; the trial requests name the ladder's position in
/// <see cref="HyperbandSchedule.Brackets"/> as their bracket (0 = s_max, the lowest budget). On every decision the
/// optimizer first looks for a promotion, the highest budget first across ladders (lower ladder on a tie); without
/// one it starts a new configuration at the bottom of a ladder. New configurations go to the ladders in the order
/// and numbers of one Hyperband iteration (n_smax to ladder 0, then n to ladder 1, …, then again from ladder 0), so
/// the ladders receive the same share of configurations as the synchronous brackets. With
/// <see cref="HyperbandSettings.MaxBrackets"/> the optimizer starts as many new configurations as that many
/// synchronous brackets would and finishes once nothing more can be promoted. Ladders stay open (they may promote
/// any result later) until then; <see cref="HyperbandSettings.MaxOpenBrackets"/> does not apply.
/// </para>
/// </remarks>
internal sealed class HyperbandOptimizer : IOptimizer
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
    private readonly SortedDictionary<long, AsynchronousLadder> _ladders = [];
    private readonly long? _maxNewConfigurations;
    private readonly double[]? _referencePoint;
    private readonly Dictionary<long, SortedDictionary<double, double[]>> _resultsByConfiguration = [];
    private long _nextConfigurationId;
    private long _bracketsStarted;
    private long _newConfigurations;

    /// <param name="referencePoint">
    /// The study's hypervolume reference point in minimisation space, for <see cref="PromotionRanking.HypervolumeGain"/>;
    /// null derives one beyond the worst result observed so far.
    /// </param>
    public HyperbandOptimizer(SearchSpace space, IConfigurationSampler sampler, HyperbandSettings settings, long seed, IReadOnlyList<double>? referencePoint = null)
    {
        _referencePoint = referencePoint?.ToArray();
        _space = space;
        _sampler = sampler;
        _settings = settings;
        _seed = seed;
        _schedule = new HyperbandSchedule(settings.MinBudget, settings.MaxBudget, settings.Eta);
        if (settings.MaxBrackets is { } maxBrackets)
        {
            _maxNewConfigurations = Enumerable.Range(0, _schedule.Brackets.Count)
                .Sum(b => (long)_schedule.Brackets[b].Rungs[0].Configurations * BracketsOfKindAmongFirst(maxBrackets, b));
        }
    }

    public HyperbandSchedule Schedule => _schedule;

    public ObservationHistory History { get; } = new();

    /// <summary>Brackets that still have trials to start or finish, lowest first.</summary>
    public IEnumerable<SuccessiveHalvingBracket> OpenBrackets => _open.Values;

    /// <summary>Asynchronous ladders that have started, by index (empty with synchronous promotion).</summary>
    public IEnumerable<AsynchronousLadder> Ladders => _ladders.Values;

    public IReadOnlyCollection<long> OpenBracketIds =>
        _settings.Promotion == PromotionMode.Asynchronous
            ? _ladders.Values.Where(l => CanStartNewConfiguration || l.Running > 0 || l.NextPromotion() is not null).Select(l => l.Index).ToArray()
            : _open.Keys;

    private bool CanStartNewConfiguration => _maxNewConfigurations is not { } max || _newConfigurations < max;

    public OptimizerDecision Decide() =>
        _settings.Promotion == PromotionMode.Asynchronous ? DecideAsynchronously() : DecideSynchronously();

    private OptimizerDecision DecideSynchronously()
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

    private OptimizerDecision DecideAsynchronously()
    {
        (AsynchronousLadder Ladder, long ConfigurationId, int Rung)? promotion = null;
        foreach (var ladder in _ladders.Values)
        {
            if (ladder.NextPromotion() is var (configurationId, rung)
                && (promotion is not { } best || ladder.Plan.Rungs[rung].Budget > best.Ladder.Plan.Rungs[best.Rung].Budget))
            {
                promotion = (ladder, configurationId, rung);
            }
        }

        if (promotion is var (chosen, id, to))
        {
            var parent = new TrialId(id, chosen.Plan.Rungs[to - 1].Budget);
            return new OptimizerDecision.Run(new TrialRequest(
                new TrialId(id, chosen.Plan.Rungs[to].Budget), _configurations[id], chosen.Index, to, parent));
        }

        if (CanStartNewConfiguration)
        {
            var index = LadderForNewConfiguration(_newConfigurations);
            return new OptimizerDecision.Run(Propose(index, _schedule.Brackets[index]));
        }

        return _ladders.Values.Any(l => l.Running > 0) ? OptimizerDecision.WaitForResults : OptimizerDecision.Done;
    }

    public void Apply(TrialRequest scheduled)
    {
        if (_scheduled.ContainsKey(scheduled.Id))
        {
            return;
        }

        if (_settings.Promotion == PromotionMode.Asynchronous)
        {
            ApplyAsynchronously(scheduled);
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

        // Null for a failed trial: the rung counts it but never promotes it.
        var objectives = History.AddResult(request.Configuration, _space.Encode(request.Configuration), result);
        if (objectives is not null)
        {
            if (!_resultsByConfiguration.TryGetValue(result.Id.ConfigurationId, out var byBudget))
            {
                byBudget = [];
                _resultsByConfiguration.Add(result.Id.ConfigurationId, byBudget);
            }

            byBudget[result.Id.Budget] = objectives;
        }

        if (_settings.Promotion == PromotionMode.Asynchronous)
        {
            _ladders[request.Bracket].RecordResult(result.Id.ConfigurationId, request.Rung, objectives);
        }
        else if (_open.TryGetValue(request.Bracket, out var bracket))
        {
            bracket.RecordResult(result.Id.ConfigurationId, request.Rung, objectives);
            if (bracket.IsComplete)
            {
                _open.Remove(bracket.Index);
            }
        }
    }

    private void ApplyAsynchronously(TrialRequest scheduled)
    {
        if (scheduled.Bracket < 0 || scheduled.Bracket >= _schedule.Brackets.Count)
        {
            throw new InvalidOperationException(
                $"{scheduled.Id} names ladder {scheduled.Bracket}, but asynchronous Hyperband has ladders 0 to {_schedule.Brackets.Count - 1}");
        }

        if (scheduled.Rung == 0)
        {
            var expected = LadderForNewConfiguration(_newConfigurations);
            if (scheduled.Bracket != expected)
            {
                throw new InvalidOperationException(
                    $"{scheduled.Id} names ladder {scheduled.Bracket}, but new configuration number {_newConfigurations} belongs to ladder {expected}");
            }
        }

        if (!_ladders.TryGetValue(scheduled.Bracket, out var ladder))
        {
            if (scheduled.Rung > 0)
            {
                throw new InvalidOperationException($"{scheduled.Id} is a promotion in ladder {scheduled.Bracket}, which has no configurations yet");
            }

            ladder = new AsynchronousLadder(scheduled.Bracket, _schedule.Brackets[(int)scheduled.Bracket], _settings.Eta, (points, k) => SelectBest(points, k, double.NaN));
            _ladders.Add(ladder.Index, ladder);
        }

        ladder.RecordScheduled(scheduled.Id.ConfigurationId, scheduled.Rung);
        if (scheduled.Rung == 0)
        {
            _newConfigurations++;
            _configurations[scheduled.Id.ConfigurationId] = scheduled.Configuration;
            _nextConfigurationId = Math.Max(_nextConfigurationId, scheduled.Id.ConfigurationId + 1);
        }

        _scheduled.Add(scheduled.Id, scheduled);
    }

    /// <summary>
    /// The ladder of the k-th new configuration: one Hyperband iteration's bottom rungs laid end to end
    /// (n_smax configurations to ladder 0, then the next bracket's n to ladder 1, …), repeated.
    /// </summary>
    private int LadderForNewConfiguration(long k)
    {
        var brackets = _schedule.Brackets;
        var position = k % brackets.Sum(b => (long)b.Rungs[0].Configurations);
        for (var index = 0; ; index++)
        {
            position -= brackets[index].Rungs[0].Configurations;
            if (position < 0)
            {
                return index;
            }
        }
    }

    /// <summary>How many of the first <paramref name="count"/> synchronous brackets have the schedule's plan number <paramref name="plan"/>.</summary>
    private long BracketsOfKindAmongFirst(long count, int plan)
    {
        var cycle = _schedule.Brackets.Count;
        return (count / cycle) + (plan < count % cycle ? 1 : 0);
    }

    private TrialRequest Propose(long bracketIndex, BracketPlan plan)
    {
        var configurationId = _nextConfigurationId;
        var budget = plan.Rungs[0].Budget;
        var random = DeterministicRandom.Derive(_seed, configurationId, "sample");
        var configuration = _sampler.Sample(new SamplingContext(_space, History, configurationId, budget, random));
        return new TrialRequest(new TrialId(configurationId, budget), configuration, bracketIndex, 0, null);
    }

    /// <param name="budget">The rung's budget; NaN from an asynchronous ladder, which always ranks by non-dominated sorting.</param>
    private int[] SelectBest(IReadOnlyList<double[]> points, int k, double budget)
    {
        if (_settings.PromotionObjective is { } index)
        {
            return Promotion.SelectBest(points.Select(p => new[] { p[index] }).ToArray(), k);
        }

        if (_settings.Ranking != PromotionRanking.HypervolumeGain || double.IsNaN(budget) || points.Count == 0 || points[0].Length < 2)
        {
            return Promotion.SelectBest(points, k);
        }

        var maxBudget = _schedule.Brackets[0].Rungs[^1].Budget;
        var front = History.At(maxBudget).Where(o => !o.Failed).Select(o => o.Objectives).ToList();
        var reference = _referencePoint is { } stated && stated.Length == points[0].Length
            ? stated
            : Promotion.ReferenceBeyond(History.All.Where(o => !o.Failed).Select(o => o.Objectives).Concat(points).ToList());
        return Promotion.SelectByHypervolumeGain(points, k, front, reference, ExpectedImprovement(budget, maxBudget, points[0].Length));
    }

    /// <summary>
    /// What each objective typically gains from <paramref name="budget"/> to the maximum: the median, over the
    /// configurations with results at both, of the difference. Zero until three such configurations exist (promotion
    /// then compares low-budget results with the front as they are, which only favours the front).
    /// </summary>
    private double[] ExpectedImprovement(double budget, double maxBudget, int dimensions)
    {
        var differences = _resultsByConfiguration.Values
            .Where(results => results.ContainsKey(budget) && results.ContainsKey(maxBudget))
            .Select(results => results[budget].Zip(results[maxBudget], (low, high) => low - high).ToArray())
            .ToList();
        var improvement = new double[dimensions];
        if (differences.Count < 3)
        {
            return improvement;
        }

        for (var d = 0; d < dimensions; d++)
        {
            var sorted = differences.Select(x => x[d]).Order().ToArray();
            var middle = sorted.Length / 2;
            improvement[d] = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }

        return improvement;
    }
}
