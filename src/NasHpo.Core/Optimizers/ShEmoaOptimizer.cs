using NasHpo.Core.Fidelity;
using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>Settings of SH-EMOA (paper 001, Algorithm 1 and Appendix B.1); the budgets come from <see cref="HyperbandSettings"/>.</summary>
internal sealed record ShEmoaSettings
{
    /// <summary>μ: the population kept by survivor selection (the paper used 100 with 15 000 evaluations).</summary>
    public int PopulationSize { get; init; } = 10;

    /// <summary>
    /// n_fe of the first (smallest-budget) step, the initial population included; each later step gets half of the
    /// step before, but never fewer than the population, so that every survivor can be re-evaluated.
    /// </summary>
    public int FirstStepEvaluations { get; init; } = 40;

    /// <summary>k of the tournament that picks each parent (B.1: k = 3).</summary>
    public int TournamentSize { get; init; } = 3;

    /// <summary>How many active parameters a mutation changes (B.1: 5).</summary>
    public int MutatedParameters { get; init; } = 5;

    /// <summary>
    /// The Gaussian step of a mutated number in unit space (reflected into [0, 1]). B.1 only says "uniformly
    /// distributed random variation"; a step of this size keeps children near their parent, which is what lets the
    /// evolution refine a front. Choices always move to a different choice whatever the step.
    /// </summary>
    public double MutationStdDev { get; init; } = 0.2;

    /// <summary>Probability of mutation rather than recombination for each child (B.1: equal probability).</summary>
    public double MutationProbability { get; init; } = 0.5;

    public void Validate()
    {
        if (PopulationSize < 1 || FirstStepEvaluations < PopulationSize || TournamentSize < 1 || MutatedParameters < 0
            || !(MutationStdDev >= 0) || !double.IsFinite(MutationStdDev) || !(MutationProbability is >= 0 and <= 1))
        {
            throw new ArgumentException(
                $"invalid SH-EMOA settings: need population ≥ 1, first-step evaluations ≥ population, tournament ≥ 1, "
                + $"mutated parameters ≥ 0, a finite step ≥ 0 and a probability in [0, 1] (got {this})");
        }
    }
}

/// <summary>
/// SH-EMOA (paper 001, §3.1, Algorithm 1, Appendix B.1): a steady-state (μ+1) evolutionary multi-objective algorithm
/// run in successive-halving steps. Step i evaluates at budget b_i = min(max, min·2^i) and spends
/// n_fe(i) = max(μ, n_fe(0) / 2^i) evaluations: first the survivors of the step before, re-evaluated at the new budget
/// (each names its lower-budget trial as parent, so the engine can continue from its checkpoint), topped up with
/// random configurations to μ (all μ are random in step 0), then one child at a time. Each child comes from tournament
/// selection (k = 3, by non-dominated rank, then crowding distance) and, with equal probability, a mutation of 5
/// parameters or a uniform recombination of two parents; conditions are repaired either way. Survivor selection
/// (μ+1 → μ) sorts the population into non-dominated fronts and drops the smallest hypervolume contributor of the
/// last; failed trials never enter the population.
/// </summary>
/// <remarks>
/// The step number is the bracket of every trial and the only open bracket. The last step, at the maximum budget,
/// never ends: the evolution goes on there until the study stops it, rather than restarting at the minimum budget
/// and throwing away what the full-budget evaluations learned. Children are sequential, as in the paper, so Decide
/// waits while one runs; the initial and re-evaluated members of a step are independent and may run in parallel.
/// All randomness derives from the seed and the new configuration's id, so Decide is pure and a replay of the facts
/// gives the same next decision.
/// </remarks>
internal sealed class ShEmoaOptimizer : IOptimizer
{
    private readonly SearchSpace _space;
    private readonly ShEmoaSettings _settings;
    private readonly long _seed;
    private readonly double[] _budgets;
    private readonly double[]? _referencePoint;
    private readonly Dictionary<long, Configuration> _configurations = [];
    private readonly Dictionary<TrialId, TrialRequest> _scheduled = [];
    private readonly HashSet<TrialId> _reported = [];
    private readonly HashSet<TrialId> _running = [];
    private readonly List<Member> _population = [];
    private List<long> _carried = [];
    private long _step;
    private int _stepScheduled;
    private long _nextConfigurationId;

    public ShEmoaOptimizer(SearchSpace space, HyperbandSettings budgets, ShEmoaSettings settings, long seed, IReadOnlyList<double>? referencePoint = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (!(budgets.MinBudget > 0) || !(budgets.MaxBudget >= budgets.MinBudget) || !double.IsFinite(budgets.MaxBudget))
        {
            throw new ArgumentException($"need 0 < min budget ≤ max budget (got {budgets.MinBudget} and {budgets.MaxBudget})", nameof(budgets));
        }

        _space = space;
        _settings = settings;
        _seed = seed;
        _budgets = StepBudgets(budgets.MinBudget, budgets.MaxBudget);
        _referencePoint = referencePoint?.ToArray();
    }

    /// <summary>The budget of each step: min·2^i, capped at (and ending with) the maximum.</summary>
    public IReadOnlyList<double> Budgets => _budgets;

    public ObservationHistory History { get; } = new();

    /// <summary>The current step (the bracket of its trials).</summary>
    public long Step => _step;

    public IReadOnlyCollection<long> OpenBracketIds => [_step];

    /// <summary>The (configuration id, objectives) of the current population at the current step's budget.</summary>
    public IReadOnlyList<(long ConfigurationId, double[] Objectives)> Population =>
        _population.Select(m => (m.ConfigurationId, m.Objectives)).ToArray();

    /// <summary>n_fe of a step: halved each step, never below μ; the last step is unbounded.</summary>
    public long EvaluationsInStep(long step) =>
        step >= _budgets.Length - 1
            ? long.MaxValue
            : Math.Max(_settings.PopulationSize, _settings.FirstStepEvaluations >> (int)Math.Min(step, 62));

    public double BudgetOfStep(long step) => _budgets[(int)Math.Min(step, _budgets.Length - 1)];

    public OptimizerDecision Decide()
    {
        if (_stepScheduled < _settings.PopulationSize)
        {
            return new OptimizerDecision.Run(Seed(_step, _stepScheduled, _carried));
        }

        // Children are generated one at a time from the population as it stands after the previous child.
        if (_running.Count > 0)
        {
            return OptimizerDecision.WaitForResults;
        }

        if (_stepScheduled < EvaluationsInStep(_step))
        {
            return new OptimizerDecision.Run(Child());
        }

        return new OptimizerDecision.Run(Seed(_step + 1, 0, CarriedIntoNextStep()));
    }

    public void Apply(TrialRequest scheduled)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        if (_scheduled.ContainsKey(scheduled.Id))
        {
            return;
        }

        if (scheduled.Bracket == _step + 1 && _running.Count == 0 && _stepScheduled >= EvaluationsInStep(_step))
        {
            // The survivors move up; they re-enter the population as their re-evaluations report.
            _carried = CarriedIntoNextStep();
            _population.Clear();
            _step++;
            _stepScheduled = 0;
        }
        else if (scheduled.Bracket != _step)
        {
            throw new InvalidOperationException($"{scheduled.Id} names step {scheduled.Bracket}, but step {_step} is the one open");
        }

        if (scheduled.Id.ConfigurationId >= _nextConfigurationId)
        {
            _configurations[scheduled.Id.ConfigurationId] = scheduled.Configuration;
            _nextConfigurationId = scheduled.Id.ConfigurationId + 1;
        }

        _scheduled.Add(scheduled.Id, scheduled);
        _running.Add(scheduled.Id);
        _stepScheduled++;
    }

    public void Apply(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_scheduled.TryGetValue(result.Id, out var request))
        {
            throw new InvalidOperationException($"result for {result.Id}, which was never scheduled");
        }

        if (!_reported.Add(result.Id))
        {
            return;
        }

        _running.Remove(result.Id);
        var objectives = History.AddResult(request.Configuration, _space.Encode(request.Configuration), result);

        // Failed trials never survive, and results of an earlier step (none while steps are synchronous) stay out.
        if (objectives is null || request.Bracket != _step)
        {
            return;
        }

        _population.Add(new Member(result.Id.ConfigurationId, objectives));
        while (_population.Count > _settings.PopulationSize)
        {
            _population.RemoveAt(LeastValuable());
        }
    }

    /// <summary>
    /// The member survivor selection drops (μ+1 → μ, as in SMS-EMOA and the reference code): on the last
    /// non-dominated front, the one with the smallest exclusive hypervolume contribution, measured against a
    /// reference just beyond that front's worst values so the extremes count too. Ties drop the latest arrival, so
    /// a child that adds nothing does not displace an incumbent.
    /// </summary>
    private int LeastValuable()
    {
        var points = _population.Select(m => m.Objectives).ToArray();
        var last = NonDominatedSorting.Sort(points)[^1];
        if (last.Length == 1)
        {
            return last[0];
        }

        var members = last.Select(i => points[i]).ToArray();
        var contributions = Contributions(members);
        var worst = 0;
        for (var m = 1; m < last.Length; m++)
        {
            if (contributions[m] < contributions[worst] || (contributions[m] == contributions[worst] && last[m] > last[worst]))
            {
                worst = m;
            }
        }

        return last[worst];
    }

    /// <summary>
    /// Exclusive hypervolume contributions against the study's reference point, the one its hypervolume is measured
    /// with (as the reference code did with its fixed point). A reference just beyond the front's own worst values
    /// instead inflates whichever member is extreme in one objective, however poor elsewhere: with three objectives
    /// and a small population the evolution then drifts to the edges of the front and loses to random search. That
    /// tight reference is still the fallback when there is no study reference or no member lies inside it.
    /// </summary>
    private double[] Contributions(double[][] members)
    {
        if (_referencePoint is { } reference && reference.Length == members[0].Length)
        {
            var contributions = Hypervolume.Contributions(members, reference);
            if (contributions.Any(c => c > 0))
            {
                return contributions;
            }
        }

        return Hypervolume.Contributions(members, Promotion.ReferenceBeyond(members));
    }

    private static double[] StepBudgets(double min, double max)
    {
        var budgets = new List<double>();
        for (var budget = min; budget < max; budget *= 2)
        {
            budgets.Add(budget);
        }

        budgets.Add(max);
        return budgets.ToArray();
    }

    private List<long> CarriedIntoNextStep() =>
        _step + 1 < _budgets.Length ? _population.Select(m => m.ConfigurationId).ToList() : [];

    /// <summary>The index-th of the μ members a step starts with: a survivor re-evaluated, or a random configuration.</summary>
    private TrialRequest Seed(long step, int index, List<long> carried)
    {
        var budget = BudgetOfStep(step);
        if (index < carried.Count)
        {
            var configurationId = carried[index];
            return new TrialRequest(
                new TrialId(configurationId, budget), _configurations[configurationId], step, 0, new TrialId(configurationId, BudgetOfStep(step - 1)));
        }

        var id = _nextConfigurationId;
        var configuration = _space.Sample(DeterministicRandom.Derive(_seed, id, "sh-emoa-sample"));
        return new TrialRequest(new TrialId(id, budget), configuration, step, 0, null);
    }

    private TrialRequest Child()
    {
        var id = _nextConfigurationId;
        var random = DeterministicRandom.Derive(_seed, id, "sh-emoa-child");
        var budget = BudgetOfStep(_step);
        if (_population.Count == 0)
        {
            // Everything so far failed: nothing to vary, so explore.
            return new TrialRequest(new TrialId(id, budget), _space.Sample(random), _step, 0, null);
        }

        var fitness = Fitness();
        Configuration child;
        if (random.NextDouble() < _settings.MutationProbability)
        {
            var parent = _configurations[_population[Tournament(fitness, random)].ConfigurationId];
            child = _space.Mutate(parent, random, _settings.MutatedParameters, _settings.MutationStdDev);
        }
        else
        {
            var first = _configurations[_population[Tournament(fitness, random)].ConfigurationId];
            var second = _configurations[_population[Tournament(fitness, random)].ConfigurationId];
            child = Recombine(first, second, random);
        }

        return new TrialRequest(new TrialId(id, budget), child, _step, 0, null);
    }

    /// <summary>
    /// Uniform recombination in the unit cube: each parameter from either parent with equal probability. A parameter
    /// active in only one parent takes that parent's value; one active in neither but switched on by the mix is drawn
    /// uniformly. Decoding then drops whatever the mix switched off, so the child satisfies every condition.
    /// </summary>
    private Configuration Recombine(Configuration first, Configuration second, Random random)
    {
        var a = _space.Encode(first);
        var b = _space.Encode(second);
        var mixed = new double[a.Length];
        for (var i = 0; i < mixed.Length; i++)
        {
            // Two draws per parameter whatever happens, so the stream position never depends on values.
            var pickFirst = random.NextDouble() < 0.5;
            var fresh = random.NextDouble();
            var (chosen, other) = pickFirst ? (a[i], b[i]) : (b[i], a[i]);
            mixed[i] = !double.IsNaN(chosen) ? chosen : !double.IsNaN(other) ? other : fresh;
        }

        return _space.Decode(mixed);
    }

    /// <summary>Per population member: its non-dominated rank and its crowding distance within that front.</summary>
    private (int Rank, double Crowding)[] Fitness()
    {
        var points = _population.Select(m => m.Objectives).ToArray();
        var fitness = new (int Rank, double Crowding)[points.Length];
        var fronts = NonDominatedSorting.Sort(points);
        for (var rank = 0; rank < fronts.Length; rank++)
        {
            var crowding = CrowdingDistance.Compute(points, fronts[rank]);
            for (var m = 0; m < fronts[rank].Length; m++)
            {
                fitness[fronts[rank][m]] = (rank, crowding[m]);
            }
        }

        return fitness;
    }

    /// <summary>k members drawn uniformly with replacement; the best rank wins, then the larger crowding distance, then the first drawn.</summary>
    private int Tournament((int Rank, double Crowding)[] fitness, Random random)
    {
        var best = random.Next(fitness.Length);
        for (var draw = 1; draw < _settings.TournamentSize; draw++)
        {
            var candidate = random.Next(fitness.Length);
            if (fitness[candidate].Rank < fitness[best].Rank
                || (fitness[candidate].Rank == fitness[best].Rank && fitness[candidate].Crowding > fitness[best].Crowding))
            {
                best = candidate;
            }
        }

        return best;
    }

    private sealed record Member(long ConfigurationId, double[] Objectives);
}
