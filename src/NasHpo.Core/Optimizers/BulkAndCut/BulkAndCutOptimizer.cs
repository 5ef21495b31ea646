using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers.Models;
using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.BulkAndCut;

/// <summary>The three phases of BULK &amp; CUT, in order; a trial's rung is the phase that proposed it.</summary>
internal enum BulkAndCutPhase
{
    Initialization = 0,
    BulkUp = 1,
    CutDown = 2,
}

/// <summary>Settings of <see cref="BulkAndCutOptimizer"/>.</summary>
internal sealed record BulkAndCutSettings
{
    /// <summary>Every trial runs at this budget (children inherit their parent's weights and train for it again).</summary>
    public required double Budget { get; init; }

    /// <summary>The study's evaluation limit: phases are shares of it (or of the wall clock, whichever is further used up).</summary>
    public long? MaxEvaluations { get; init; }

    /// <summary>The study's wall-clock limit: phases are shares of it (or of the evaluation limit, whichever is further used up).</summary>
    public TimeSpan? MaxWallClock { get; init; }

    /// <summary>Time since the study was created (the clock the wall-clock limit counts); needed with <see cref="MaxWallClock"/> alone.</summary>
    public Func<TimeSpan>? Elapsed { get; init; }

    /// <summary>Shares of the budget for initialisation, bulk-up and cut-down (paper 001's reference code: about 35 / 40 / 25 %).</summary>
    public IReadOnlyList<double> PhaseShares { get; init; } = [0.35, 0.40, 0.25];

    /// <summary>ε of Paretslon-greedy: the probability of passing over a front when choosing a parent.</summary>
    public double Epsilon { get; init; } = 0.15;

    /// <summary>The parameters constrained BO chooses; null takes <see cref="ArchitectureMorphisms.DefaultHyperparameters"/>.</summary>
    public IReadOnlyList<string>? Hyperparameters { get; init; }

    /// <summary>The hypervolume reference point in minimisation space; null derives one from the observations.</summary>
    public IReadOnlyList<double>? ReferencePoint { get; init; }

    /// <summary>The study's objectives; those marked cheap are computed exactly when <see cref="CheapObjectives"/> is set.</summary>
    public IReadOnlyList<Objective>? Objectives { get; init; }

    /// <summary>Cheap objectives of a configuration in minimisation space (expensive entries may be NaN), as for MS-EHVI.</summary>
    public Func<Configuration, double[]>? CheapObjectives { get; init; }

    /// <summary>
    /// Never schedule a configuration twice: a child that equals one already scheduled (two parents morphed to the
    /// same network, or constrained BO choosing hyperparameters already run with that architecture) is replaced by the
    /// parent's next morphism, the next candidate, or another parent. Paper 001 does not say; on a discrete space its
    /// rule repeats about one configuration in twenty, and a repeat can only return what is known (off: the paper's rule).
    /// </summary>
    public bool DistinctConfigurations { get; init; } = true;

    /// <summary>Completed trials before constrained BO starts; until then a child keeps its parent's hyperparameters.</summary>
    public int MinObservationsForModel { get; init; } = 5;

    /// <summary>Hyperparameter candidates drawn uniformly per child.</summary>
    public int RandomCandidates { get; init; } = 128;

    /// <summary>Hyperparameter candidates drawn by a Gaussian step (in the unit cube) from the child's inherited ones.</summary>
    public int LocalCandidates { get; init; } = 128;

    public double LocalStandardDeviation { get; init; } = 0.1;

    /// <summary>Samples per candidate for Monte-Carlo EHVI (three objectives or more).</summary>
    public int MonteCarloSamples { get; init; } = 128;

    /// <summary>How and when constrained BO's models are fitted (see <see cref="GaussianProcessRefitSchedule"/>).</summary>
    public GaussianProcessFitSettings? ModelFit { get; init; }

    public void Validate()
    {
        if (!(Budget > 0) || !double.IsFinite(Budget))
        {
            throw new ArgumentException($"the budget must be positive and finite, not {Budget}");
        }

        if (PhaseShares.Count != 3 || PhaseShares.Any(s => !(s is >= 0 and <= 1)) || Math.Abs(PhaseShares.Sum() - 1) > 1e-9)
        {
            throw new ArgumentException($"phase shares must be three numbers in [0, 1] that sum to 1, not [{string.Join(", ", PhaseShares)}]");
        }

        if (!(Epsilon is >= 0 and <= 1))
        {
            throw new ArgumentException($"ε must be a probability in [0, 1], not {Epsilon}");
        }

        if (MaxEvaluations is null && (MaxWallClock is null || Elapsed is null))
        {
            throw new ArgumentException("BULK & CUT divides the study's budget into phases: it needs an evaluation limit, or a wall-clock limit and a clock");
        }

        if (MaxEvaluations is <= 0 || MaxWallClock is { } clock && clock <= TimeSpan.Zero)
        {
            throw new ArgumentException("the evaluation and wall-clock limits must be positive");
        }

        if (MinObservationsForModel < 2 || RandomCandidates < 0 || LocalCandidates < 0 || !(LocalStandardDeviation >= 0) || MonteCarloSamples < 1)
        {
            throw new ArgumentException($"invalid constrained-BO settings: {this}");
        }
    }
}

/// <summary>
/// BULK &amp; CUT (paper 001, §3.5, Algorithms 6 and 7). Three phases share the study's budget (evaluations, or the
/// wall clock when only that is limited): random architectures first; then bulk-up, where each new configuration is a
/// Paretslon-greedy parent made wider or deeper by a function-preserving network morphism; then cut-down, where it is
/// a parent with filters or units pruned, to be trained by distillation from the parent. Throughout, once enough trials
/// have completed, the hyperparameters of each new configuration (learning rate, batch size, ...) are chosen by
/// constrained BO: with the architecture fixed, the candidate hyperparameters maximising the expected hypervolume
/// improvement under one Gaussian process per expensive objective (cheap objectives computed exactly).
/// </summary>
/// <remarks>
/// Each configuration is its own bracket and runs once, at <see cref="BulkAndCutSettings.Budget"/>; its rung is the
/// phase that proposed it, and a child's request carries its <see cref="TrialLineage"/> (parent trial, parent
/// configuration, morphism), so the journal records the genealogy and a training workload can inherit the parent's
/// weights. Workloads without networks (synthetic problems) evaluate the child configuration as it is.
/// Decide is pure for evaluation-based phases: all randomness derives from the seed and the new configuration's id.
/// With wall-clock phases the phase of a decision depends on when it is made, but it is persisted as the rung, and
/// phases never go back, so a replay rebuilds the same state. The population is every completed trial (failed trials
/// carry no objectives and are left out); while it is empty a child phase waits for running trials, or samples at
/// random when none runs. A parent with no applicable morphism (every width at its bound) passes the choice on to
/// another; when no member has one, the configuration is sampled at random.
/// </remarks>
internal sealed class BulkAndCutOptimizer : IOptimizer
{
    private readonly SearchSpace _space;
    private readonly BulkAndCutSettings _settings;
    private readonly long _seed;
    private readonly ArchitectureMorphisms _morphisms;
    private readonly GaussianProcessRefitSchedule _models;
    private readonly SingleTrialLedger _trials = new();
    private readonly List<Member> _population = [];
    private readonly HashSet<Configuration> _scheduled = [];
    private BulkAndCutPhase _phaseReached;

    public BulkAndCutOptimizer(SearchSpace space, BulkAndCutSettings settings, long seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _space = space;
        _settings = settings;
        _seed = seed;
        _morphisms = new ArchitectureMorphisms(space, settings.Hyperparameters);
        _models = new GaussianProcessRefitSchedule(seed, settings.ModelFit);
    }

    public ObservationHistory History { get; } = new();

    public ArchitectureMorphisms Morphisms => _morphisms;

    /// <summary>The latest phase any scheduled trial belongs to.</summary>
    public BulkAndCutPhase Phase => _phaseReached;

    public IReadOnlyCollection<long> OpenBracketIds => _trials.Running;

    public OptimizerDecision Decide()
    {
        var id = _trials.NextConfigurationId;
        var phase = PhaseFor(id);
        Configuration configuration;
        TrialLineage? lineage = null;
        if (phase == BulkAndCutPhase.Initialization)
        {
            configuration = RandomConfiguration(id);
        }
        else if (_population.Count == 0)
        {
            if (_trials.Running.Count > 0)
            {
                return OptimizerDecision.WaitForResults;
            }

            configuration = RandomConfiguration(id);
        }
        else
        {
            (configuration, lineage) = MakeChild(id, phase);
        }

        var request = new TrialRequest(new TrialId(id, _settings.Budget), configuration, id, (int)phase, null, lineage);
        return new OptimizerDecision.Run(request);
    }

    public void Apply(TrialRequest scheduled)
    {
        if (!_trials.Schedule(scheduled))
        {
            return;
        }

        _scheduled.Add(scheduled.Configuration);

        _phaseReached = (BulkAndCutPhase)Math.Max((int)_phaseReached, scheduled.Rung);
    }

    public void Apply(TrialResult result)
    {
        if (_trials.Report(result) is not { } request)
        {
            return;
        }

        var encoded = _space.Encode(request.Configuration);
        if (History.AddResult(request.Configuration, encoded, result) is { } objectives)
        {
            _population.Add(new Member(result.Id, request.Configuration, encoded, objectives));
        }
    }

    /// <summary>
    /// The phase of the configuration with this id: the share of the study's budget used so far, never earlier than
    /// one already reached. With both limits set, the one further used up counts: a study stopped by its wall clock
    /// long before its evaluation limit used to spend all of it initialising. A replay is still exact, as each
    /// request records its phase (its rung) and replay only re-applies those.
    /// </summary>
    public BulkAndCutPhase PhaseFor(long configurationId)
    {
        var byEvaluations = _settings.MaxEvaluations is { } evaluations ? (double)configurationId / evaluations : 0;
        var byClock = _settings.MaxWallClock is { } clock && _settings.Elapsed is { } elapsed ? elapsed() / clock : 0;
        var used = Math.Max(byEvaluations, byClock);
        var shares = _settings.PhaseShares;
        var byBudget = used < shares[0] ? BulkAndCutPhase.Initialization
            : used < shares[0] + shares[1] ? BulkAndCutPhase.BulkUp
            : BulkAndCutPhase.CutDown;
        return (BulkAndCutPhase)Math.Max((int)byBudget, (int)_phaseReached);
    }

    private (Configuration Configuration, TrialLineage? Lineage) MakeChild(long id, BulkAndCutPhase phase)
    {
        var random = DeterministicRandom.Derive(_seed, id, "child");
        var candidates = _population.ToList();
        while (candidates.Count > 0)
        {
            var index = ParetoEpsilonGreedy.Select(candidates.Select(m => m.Objectives).ToArray(), _settings.Epsilon, random);
            var parent = candidates[index];
            var options = (phase == BulkAndCutPhase.BulkUp
                ? _morphisms.BulkUpOptions(parent.Configuration)
                : _morphisms.CutDownOptions(parent.Configuration)).ToList();
            // The paper's rule draws one morphism; with distinct configurations the others follow, in a random order,
            // while the drawn one makes a configuration already scheduled (the first draw is the paper's either way).
            while (options.Count > 0)
            {
                var drawn = random.Next(options.Count);
                var morphism = options[drawn];
                options.RemoveAt(drawn);
                var child = ChooseHyperparameters(_morphisms.Apply(parent.Configuration, morphism, random), id);
                if (child is not null)
                {
                    return (child, new TrialLineage(parent.Trial, parent.Configuration, morphism.ToString()));
                }
            }

            candidates.RemoveAt(index);
        }

        return (RandomConfiguration(id), null);
    }

    /// <summary>A random configuration with its hyperparameters chosen by constrained BO (once it has a model).</summary>
    private Configuration RandomConfiguration(long id)
    {
        var sample = Sample(id);
        return ChooseHyperparameters(sample, id) ?? sample;
    }

    /// <summary>A random draw; with distinct configurations, the first of up to 64 draws not yet scheduled.</summary>
    private Configuration Sample(long id)
    {
        var sample = _space.Sample(DeterministicRandom.Derive(_seed, id, "sample"));
        for (var attempt = 1; attempt < 64 && _settings.DistinctConfigurations && _scheduled.Contains(sample); attempt++)
        {
            sample = _space.Sample(DeterministicRandom.Derive(_seed, id, $"sample-{attempt}"));
        }

        return sample;
    }

    /// <summary>With distinct configurations, whether this one was scheduled already (and so may not be again).</summary>
    private bool Repeats(Configuration configuration) => _settings.DistinctConfigurations && _scheduled.Contains(configuration);

    /// <summary>
    /// Constrained BO: the architecture stays, the hyperparameters become those of the candidate with the largest
    /// expected hypervolume improvement. Candidates: the configuration as it is (a child's inherited hyperparameters),
    /// uniform draws, and Gaussian steps from it. Running trials are not fantasised (unlike MS-EHVI): concurrent children
    /// differ in their architecture already.
    /// </summary>
    private Configuration? ChooseHyperparameters(Configuration architecture, long id)
    {
        var hyperparameters = _morphisms.Hyperparameters.Where(architecture.Contains).ToArray();
        if (hyperparameters.Length == 0 || _population.Count < _settings.MinObservationsForModel)
        {
            return Repeats(architecture) ? null : architecture;
        }

        var objectiveCount = _population[0].Objectives.Length;
        var cheap = ObjectiveModelling.CheapMask(_settings.Objectives, _settings.CheapObjectives, objectiveCount);
        // Every candidate has the same architecture, so its cheap objectives (size, operations) are computed once.
        var cheapValues = cheap.Any(c => c) ? ObjectiveModelling.CheapValues(_settings.CheapObjectives!, architecture, objectiveCount) : null;
        var inputs = _population.Select(m => m.Encoded).ToArray();
        var models = new GaussianProcess?[objectiveCount];
        for (var m = 0; m < objectiveCount; m++)
        {
            if (!cheap[m])
            {
                models[m] = _models.Model(m, inputs, _population.Select(p => p.Objectives[m]).ToArray());
            }
        }

        var points = _population.Select(p => p.Objectives).ToArray();
        var front = NonDominatedSorting.FirstFront(points).Select(i => points[i]).ToArray();
        var reference = ObjectiveModelling.ReferencePoint(_settings.ReferencePoint, _population.Select(o => o.Objectives).ToArray(), objectiveCount);
        var mean = new double[objectiveCount];
        var sd = new double[objectiveCount];
        // The first candidate not scheduled yet stands in when no value beats −∞ (every EHVI NaN), as the configuration
        // itself (always the first candidate) did before repeats were skipped.
        Configuration? best = null;
        Configuration? firstNew = null;
        var bestValue = double.NegativeInfinity;
        foreach (var candidate in Candidates(architecture, hyperparameters, id))
        {
            if (Repeats(candidate))
            {
                continue;
            }

            firstNew ??= candidate;

            var encoded = _space.Encode(candidate);
            for (var m = 0; m < objectiveCount; m++)
            {
                (mean[m], sd[m]) = models[m] is { } model ? model.Predict(encoded) : (cheapValues![m], 0.0);
            }

            var value = objectiveCount == 2
                ? ExpectedHypervolumeImprovement.Exact2D(front, reference, mean, sd)
                : ExpectedHypervolumeImprovement.MonteCarlo(front, reference, mean, sd, _settings.MonteCarloSamples, DeterministicRandom.Derive(_seed, id, "ehvi"));
            if (value > bestValue)
            {
                best = candidate;
                bestValue = value;
            }
        }

        return best ?? firstNew;
    }

    private IEnumerable<Configuration> Candidates(Configuration architecture, string[] hyperparameters, long id)
    {
        yield return architecture;
        var random = DeterministicRandom.Derive(_seed, id, "hyperparameters");
        for (var i = 0; i < _settings.RandomCandidates; i++)
        {
            var sample = _space.Sample(random);
            var values = new Dictionary<string, ParameterValue>(architecture.Values, StringComparer.Ordinal);
            foreach (var name in hyperparameters)
            {
                if (sample.TryGetValue(name, out var drawn))
                {
                    values[name] = drawn;
                }
            }

            if (TryConfiguration(values) is { } candidate)
            {
                yield return candidate;
            }
        }

        for (var i = 0; i < _settings.LocalCandidates; i++)
        {
            var values = new Dictionary<string, ParameterValue>(architecture.Values, StringComparer.Ordinal);
            foreach (var name in hyperparameters)
            {
                var parameter = _space[name];
                if (parameter is FloatParameter or IntegerParameter)
                {
                    var u = UnitCube.Encode(parameter, values[name].Number);
                    values[name] = ParameterValue.Of(UnitCube.Decode(parameter, Math.Clamp(u + (_settings.LocalStandardDeviation * random.NextGaussian()), 0.0, 1.0)));
                }
            }

            if (TryConfiguration(values) is { } candidate)
            {
                yield return candidate;
            }
        }
    }

    /// <summary>Null when the mix of drawn and fixed values breaks a condition between hyperparameters.</summary>
    private Configuration? TryConfiguration(Dictionary<string, ParameterValue> values)
    {
        var configuration = new Configuration(values);
        try
        {
            _space.Validate(configuration);
            return configuration;
        }
        catch (SearchSpaceException)
        {
            return null;
        }
    }

    private sealed record Member(TrialId Trial, Configuration Configuration, double[] Encoded, double[] Objectives);
}
