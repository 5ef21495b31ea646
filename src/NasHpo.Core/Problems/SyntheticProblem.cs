using NasHpo.Core.Objectives;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Problems;

/// <summary>
/// A benchmark problem with a known Pareto front, all objectives minimised, decision variables x0..x{n-1} in [0, 1].
/// Besides the exact objectives it offers a fidelity knob: an evaluation at a lower budget is biased and noisy and
/// converges to the exact value at the full budget, so multi-fidelity optimizers can be exercised without training.
/// </summary>
internal abstract class SyntheticProblem
{
    /// <summary>Mean of the per-configuration bias at budget 0, in objective units (fronts span about [0, 1]).</summary>
    public const double BiasMean = 0.2;

    /// <summary>Standard deviation of the per-budget noise at budget 0, in objective units.</summary>
    public const double NoiseStandardDeviation = 0.1;

    private static readonly string[] _typeNames = ["zdt1", "zdt2", "zdt3", "dtlz2"];

    // Distinct salts keep the bias draw independent of the noise draw for the same key and objective.
    private static readonly ulong _biasSalt = StableHash.Of("synthetic-bias");
    private static readonly ulong _noiseSalt = StableHash.Of("synthetic-noise");

    private readonly Lazy<SearchSpace> _space;
    private readonly double[] _referencePoint;

    protected SyntheticProblem(string name, SyntheticProblemOptions options, double[] referencePoint)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.NoiseScale) || options.NoiseScale < 0)
        {
            throw new ArgumentException($"noise scale must be a finite number >= 0, not {options.NoiseScale}", nameof(options));
        }

        if (options.Delay < TimeSpan.Zero)
        {
            throw new ArgumentException($"delay must not be negative, not {options.Delay}", nameof(options));
        }

        Name = name;
        Options = options;
        Dimensions = options.Dimensions;
        Objectives = Enumerable.Range(1, options.Objectives).Select(i => new Objective($"f{i}")).ToArray();
        _referencePoint = referencePoint;

        // Lazy so that a problem can be built and evaluated on plain vectors without touching the search-space code.
        _space = new Lazy<SearchSpace>(
            () => SearchSpace.Create(Enumerable.Range(0, Dimensions).Select(i => new FloatParameter(VariableName(i), 0.0, 1.0))));
    }

    /// <summary>The type names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> TypeNames => _typeNames;

    /// <summary>"zdt1", "zdt2", "zdt3" or "dtlz2".</summary>
    public string Name { get; }

    public SyntheticProblemOptions Options { get; }

    /// <summary>Number of decision variables n.</summary>
    public int Dimensions { get; }

    /// <summary>f1..fm, all minimised and expensive.</summary>
    public IReadOnlyList<Objective> Objectives { get; }

    /// <summary>Float parameters x0..x{n-1} in [0, 1]; built on first use.</summary>
    public SearchSpace Space => _space.Value;

    /// <summary>
    /// The default hypervolume reference: the upper bound of every attainable objective vector plus a 10 % margin.
    /// A bounding reference loses no discrimination near the front: for two sets that both lie inside the box, the
    /// difference of their hypervolumes (and the gap to the true front) does not depend on where the reference is.
    /// A tight reference such as 1.1 times the front's nadir would instead give every early random point zero,
    /// because random configurations of these problems lie far from the front (ZDT f2 around 3 to 6).
    /// A fresh copy on every call.
    /// </summary>
    public double[] ReferencePoint => (double[])_referencePoint.Clone();

    /// <summary>Per-evaluation wall time at the full budget (see <see cref="SyntheticProblemOptions.Delay"/>).</summary>
    public TimeSpan Delay => Options.Delay;

    /// <summary>
    /// Creates a problem by type name; throws <see cref="ArgumentException"/> with a one-line message for an unknown
    /// name or dimensions the problem does not support.
    /// </summary>
    public static SyntheticProblem Create(string type, SyntheticProblemOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(options);
        return type.Trim().ToUpperInvariant() switch
        {
            "ZDT1" => new Zdt1Problem(options),
            "ZDT2" => new Zdt2Problem(options),
            "ZDT3" => new Zdt3Problem(options),
            "DTLZ2" => new Dtlz2Problem(options),
            _ => throw new ArgumentException(
                $"unknown synthetic problem '{type}'; valid names: {string.Join(", ", _typeNames)}", nameof(type)),
        };
    }

    /// <summary>The name of decision variable i: "x0", "x1", ...</summary>
    public static string VariableName(int index) => FormattableString.Invariant($"x{index}");

    /// <summary>The exact objectives (the value at the full budget).</summary>
    public double[] Evaluate(ReadOnlySpan<double> x)
    {
        ValidateVariables(x);
        var objectives = new double[Objectives.Count];
        EvaluateExact(x, objectives);
        return objectives;
    }

    /// <summary>
    /// The objectives as observed after training for <paramref name="budget"/> out of <paramref name="maxBudget"/>:
    /// f_i + (1 - budget/maxBudget) * NoiseScale * (bias_i(key) + sd * z_i(key, budget)).
    /// The bias is fixed per configuration and positive (an under-trained model looks worse, and some configurations
    /// look worse than others, so low-budget rankings are systematically wrong, not just noisy); the noise is redrawn
    /// per budget. Both derive from <paramref name="noiseKey"/>, so the same configuration at the same budget always
    /// gets the same value, in any process: replay stays exact. At the full budget the value is exact.
    /// </summary>
    public double[] Evaluate(ReadOnlySpan<double> x, double budget, double maxBudget, ulong noiseKey)
    {
        ValidateBudget(budget, maxBudget);
        var objectives = Evaluate(x);
        var remaining = 1.0 - (budget / maxBudget);
        if (remaining <= 0.0 || Options.NoiseScale == 0.0)
        {
            return objectives;
        }

        var budgetBits = BitConverter.DoubleToUInt64Bits(budget);
        for (var i = 0; i < objectives.Length; i++)
        {
            var bias = BiasMean * 2.0 * new DeterministicRandom(StableHash.Combine(noiseKey, _biasSalt, (ulong)i)).NextDouble();
            var z = new DeterministicRandom(StableHash.Combine(StableHash.Combine(noiseKey, budgetBits, (ulong)i), _noiseSalt)).NextGaussian();
            objectives[i] += remaining * Options.NoiseScale * (bias + (NoiseStandardDeviation * z));
        }

        return objectives;
    }

    /// <summary>
    /// Evaluates a configuration of <see cref="Space"/> (values "x0".."x{n-1}"), keyed by its fingerprint so that a
    /// configuration's noise is the same wherever it is evaluated.
    /// </summary>
    public double[] Evaluate(Configuration configuration, double budget, double maxBudget)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var x = new double[Dimensions];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = configuration.GetDouble(VariableName(i));
        }

        return Evaluate(x, budget, maxBudget, configuration.Fingerprint);
    }

    /// <summary>The wall time an evaluation at this budget should take: <see cref="Delay"/> scaled by budget/maxBudget.</summary>
    public TimeSpan DelayAt(double budget, double maxBudget)
    {
        ValidateBudget(budget, maxBudget);
        return Delay * (budget / maxBudget);
    }

    /// <summary>
    /// <paramref name="count"/> mutually non-dominated points of the true Pareto front, for hypervolume-gap reports.
    /// </summary>
    public abstract IReadOnlyList<double[]> TrueFront(int count);

    /// <summary>
    /// How many of the last variables are distance variables: they decide how far a point lies from the true front
    /// (the front is where they take their optimal values), while the first ones, the position variables, decide
    /// where along the front it lies.
    /// </summary>
    public abstract int DistanceVariableCount { get; }

    /// <summary>The names of the distance variables (the last <see cref="DistanceVariableCount"/> of x0..x{n-1}).</summary>
    public IReadOnlyList<string> DistanceVariableNames =>
        Enumerable.Range(Dimensions - DistanceVariableCount, DistanceVariableCount).Select(VariableName).ToArray();

    /// <summary>
    /// The hypervolume of the whole true front with respect to <paramref name="reference"/>, which must be no better
    /// than the front's nadir in any objective (as <see cref="ReferencePoint"/> is).
    /// </summary>
    public abstract double TrueHypervolume(ReadOnlySpan<double> reference);

    /// <summary>Writes the exact objectives of a validated vector.</summary>
    protected abstract void EvaluateExact(ReadOnlySpan<double> x, Span<double> objectives);

    /// <summary>Throws when the reference has the wrong length or is better than <paramref name="nadir"/> somewhere.</summary>
    protected void ValidateReference(ReadOnlySpan<double> reference, ReadOnlySpan<double> nadir)
    {
        if (reference.Length != Objectives.Count)
        {
            throw new ArgumentException($"{Name}: reference has {reference.Length} values, expected {Objectives.Count}", nameof(reference));
        }

        for (var i = 0; i < reference.Length; i++)
        {
            if (!(reference[i] >= nadir[i]) || !double.IsFinite(reference[i]))
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"{Name}: reference value {reference[i]} of f{i + 1} is below the true front's nadir {nadir[i]}"),
                    nameof(reference));
            }
        }
    }

    private void ValidateVariables(ReadOnlySpan<double> x)
    {
        if (x.Length != Dimensions)
        {
            throw new ArgumentException($"{Name} expects {Dimensions} variables, got {x.Length}", nameof(x));
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (!(x[i] >= 0.0 && x[i] <= 1.0))
            {
                throw new ArgumentOutOfRangeException(nameof(x), x[i], FormattableString.Invariant($"{Name}: x{i} must lie in [0, 1]"));
            }
        }
    }

    private static void ValidateBudget(double budget, double maxBudget)
    {
        if (!(maxBudget > 0.0) || !double.IsFinite(maxBudget))
        {
            throw new ArgumentOutOfRangeException(nameof(maxBudget), maxBudget, "the maximum budget must be a positive finite number");
        }

        if (!(budget > 0.0 && budget <= maxBudget))
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, "the budget must lie in (0, maxBudget]");
        }
    }
}
