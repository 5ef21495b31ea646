namespace NasHpo.Core.Optimizers.Models;

/// <summary>Hyperparameters of a Matérn 5/2 ARD Gaussian process, in log space (the space they are optimised in).</summary>
public sealed record GaussianProcessHyperparameters(double[] LogLengthScales, double LogSignalVariance, double LogNoiseVariance);

/// <summary>
/// How the hyperparameters are fitted (Nelder–Mead restarts maximising the log marginal likelihood), and, for the
/// optimizers that keep their processes up to date as observations arrive, when (<see cref="GaussianProcessRefitSchedule"/>).
/// </summary>
public sealed record GaussianProcessFitSettings
{
    /// <summary>Observations up to which the hyperparameters are fitted anew for every proposal.</summary>
    public int RefitEveryProposalUpTo { get; init; } = 30;

    /// <summary>Beyond <see cref="RefitEveryProposalUpTo"/>, the factor by which the observation count grows between two fits.</summary>
    public double RefitGrowth { get; init; } = 1.1;

    /// <summary>Starts besides the fixed default one, drawn uniformly in the bounds from the seed.</summary>
    public int RandomRestarts { get; init; } = 2;

    /// <summary>Likelihood evaluations per start.</summary>
    public int MaxEvaluationsPerStart { get; init; } = 250;

    // Bounds in log space. Inputs live in the unit cube and targets are standardised, so these cover every
    // sensible model; the noise floor keeps the kernel matrix well conditioned on noise-free data.
    public double MinLengthScale { get; init; } = 0.01;

    public double MaxLengthScale { get; init; } = 20;

    public double MinSignalVariance { get; init; } = 0.05;

    public double MaxSignalVariance { get; init; } = 20;

    public double MinNoiseVariance { get; init; } = 1e-6;

    public double MaxNoiseVariance { get; init; } = 1;
}

/// <summary>
/// A Gaussian process regression model with a Matérn 5/2 kernel, one length scale per input dimension (ARD) and
/// Gaussian observation noise, on standardised targets. Self-contained (its own Cholesky) so that the core stays
/// free of package dependencies and gives bit-identical results on every machine: the matrices are small
/// (one row per observation, a few hundred at most), where a dense O(n³) factorisation in plain C# is fast enough.
/// </summary>
public sealed class GaussianProcess
{
    /// <summary>What inactive (NaN) inputs become: outside [0, 1], and equal to each other, so two configurations that both lack a parameter agree on it.</summary>
    public const double InactiveValue = -0.5;

    private static readonly double Sqrt5 = Math.Sqrt(5.0);

    private readonly double[][] _inputs;
    private readonly double[] _inverseLengthScales;
    private readonly double _signalVariance;
    private readonly double[] _lower;
    private readonly double[] _alpha;
    private readonly double _targetMean;
    private readonly double _targetScale;

    private GaussianProcess(double[][] inputs, GaussianProcessHyperparameters hyperparameters, double[] lower, double[] alpha, double targetMean, double targetScale, double logMarginalLikelihood)
    {
        _inputs = inputs;
        Hyperparameters = hyperparameters;
        _inverseLengthScales = hyperparameters.LogLengthScales.Select(l => Math.Exp(-l)).ToArray();
        _signalVariance = Math.Exp(hyperparameters.LogSignalVariance);
        _lower = lower;
        _alpha = alpha;
        _targetMean = targetMean;
        _targetScale = targetScale;
        LogMarginalLikelihood = logMarginalLikelihood;
    }

    public GaussianProcessHyperparameters Hyperparameters { get; }

    /// <summary>Of the standardised targets under the fitted hyperparameters.</summary>
    public double LogMarginalLikelihood { get; }

    public int Count => _inputs.Length;

    /// <summary>
    /// Fits the hyperparameters by maximising the log marginal likelihood from a fixed default start and
    /// <see cref="GaussianProcessFitSettings.RandomRestarts"/> starts drawn from <paramref name="random"/>, so the
    /// fit is a deterministic function of the data and the generator.
    /// </summary>
    public static GaussianProcess Fit(IReadOnlyList<double[]> inputs, IReadOnlyList<double> targets, Random random, GaussianProcessFitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        settings ??= new GaussianProcessFitSettings();
        var x = Prepare(inputs, targets);
        var (y, _, _) = Standardise(targets);
        var dimension = x.Length == 0 ? 0 : x[0].Length;
        var lowerBound = new double[dimension + 2];
        var upperBound = new double[dimension + 2];
        for (var j = 0; j < dimension; j++)
        {
            lowerBound[j] = Math.Log(settings.MinLengthScale);
            upperBound[j] = Math.Log(settings.MaxLengthScale);
        }

        lowerBound[dimension] = Math.Log(settings.MinSignalVariance);
        upperBound[dimension] = Math.Log(settings.MaxSignalVariance);
        lowerBound[dimension + 1] = Math.Log(settings.MinNoiseVariance);
        upperBound[dimension + 1] = Math.Log(settings.MaxNoiseVariance);

        double Objective(double[] theta)
        {
            var clamped = Clamp(theta, lowerBound, upperBound);
            var value = LogMarginal(x, y, ToHyperparameters(clamped));
            return double.IsFinite(value) ? -value : double.MaxValue;
        }

        // The default start: length scale 0.5 of the unit cube, unit signal, small noise.
        var start = new double[dimension + 2];
        Array.Fill(start, Math.Log(0.5), 0, dimension);
        start[dimension] = 0;
        start[dimension + 1] = Math.Log(1e-3);

        var best = start;
        var bestValue = Objective(start);
        for (var restart = 0; restart <= settings.RandomRestarts; restart++)
        {
            var initial = start;
            if (restart > 0)
            {
                initial = new double[dimension + 2];
                for (var j = 0; j < initial.Length; j++)
                {
                    initial[j] = lowerBound[j] + (random.NextDouble() * (upperBound[j] - lowerBound[j]));
                }
            }

            var (found, value) = NelderMead.Minimise(Objective, initial, 0.5, settings.MaxEvaluationsPerStart);
            if (value < bestValue)
            {
                best = found;
                bestValue = value;
            }
        }

        return WithHyperparameters(inputs, targets, ToHyperparameters(Clamp(best, lowerBound, upperBound)));
    }

    /// <summary>Conditions the process on the data with the given hyperparameters (no fitting).</summary>
    public static GaussianProcess WithHyperparameters(IReadOnlyList<double[]> inputs, IReadOnlyList<double> targets, GaussianProcessHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var x = Prepare(inputs, targets);
        var (y, mean, scale) = Standardise(targets);
        var lower = Factorise(x, hyperparameters) ?? throw new InvalidOperationException("The kernel matrix is not positive definite even with jitter.");
        var alpha = Solve(lower, y);
        var logMarginal = LogMarginalFrom(lower, y, alpha);
        return new GaussianProcess(x, hyperparameters, lower, alpha, mean, scale, logMarginal);
    }

    /// <summary>The log marginal likelihood of the standardised targets under the given hyperparameters (-∞ when the matrix cannot be factorised).</summary>
    public static double LogMarginalLikelihoodOf(IReadOnlyList<double[]> inputs, IReadOnlyList<double> targets, GaussianProcessHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var x = Prepare(inputs, targets);
        var (y, _, _) = Standardise(targets);
        return LogMarginal(x, y, hyperparameters);
    }

    /// <summary>Posterior mean and standard deviation of the latent function (noise excluded) at the input, in target units.</summary>
    public (double Mean, double StandardDeviation) Predict(ReadOnlySpan<double> input)
    {
        var point = Clean(input);
        var n = _inputs.Length;
        var k = new double[n];
        var mean = 0.0;
        for (var i = 0; i < n; i++)
        {
            k[i] = Kernel(_inputs[i], point, _inverseLengthScales, _signalVariance);
            mean += k[i] * _alpha[i];
        }

        // v = L⁻¹ k; var = k(x, x) - vᵀv.
        ForwardSubstitute(_lower, n, k);
        var variance = _signalVariance;
        for (var i = 0; i < n; i++)
        {
            variance -= k[i] * k[i];
        }

        return ((mean * _targetScale) + _targetMean, Math.Sqrt(Math.Max(variance, 0.0)) * _targetScale);
    }

    private static double[] Clamp(double[] theta, double[] lower, double[] upper)
    {
        var result = new double[theta.Length];
        for (var j = 0; j < theta.Length; j++)
        {
            result[j] = Math.Clamp(theta[j], lower[j], upper[j]);
        }

        return result;
    }

    private static GaussianProcessHyperparameters ToHyperparameters(double[] theta) =>
        new(theta[..^2], theta[^2], theta[^1]);

    private static double[][] Prepare(IReadOnlyList<double[]> inputs, IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count != targets.Count)
        {
            throw new ArgumentException($"{inputs.Count} inputs but {targets.Count} targets.", nameof(targets));
        }

        if (inputs.Count == 0)
        {
            throw new ArgumentException("A Gaussian process needs at least one observation.", nameof(inputs));
        }

        var dimension = inputs[0].Length;
        var result = new double[inputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length != dimension)
            {
                throw new ArgumentException($"Input {i} has {inputs[i].Length} entries but input 0 has {dimension}.", nameof(inputs));
            }

            if (!double.IsFinite(targets[i]))
            {
                throw new ArgumentException($"Target {i} is not finite.", nameof(targets));
            }

            result[i] = Clean(inputs[i]);
        }

        return result;
    }

    private static double[] Clean(ReadOnlySpan<double> input)
    {
        var result = new double[input.Length];
        for (var j = 0; j < input.Length; j++)
        {
            result[j] = double.IsNaN(input[j]) ? InactiveValue : input[j];
        }

        return result;
    }

    // Zero mean and unit variance, so one set of hyperparameter bounds suits any objective's scale.
    private static (double[] Values, double Mean, double Scale) Standardise(IReadOnlyList<double> targets)
    {
        var mean = targets.Average();
        var variance = targets.Sum(t => (t - mean) * (t - mean)) / targets.Count;
        var scale = variance > 1e-24 ? Math.Sqrt(variance) : 1.0;
        return (targets.Select(t => (t - mean) / scale).ToArray(), mean, scale);
    }

    private static double Kernel(double[] a, double[] b, double[] inverseLengthScales, double signalVariance)
    {
        var squared = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            var d = (a[j] - b[j]) * inverseLengthScales[j];
            squared += d * d;
        }

        var r = Sqrt5 * Math.Sqrt(squared);
        return signalVariance * (1.0 + r + (r * r / 3.0)) * Math.Exp(-r);
    }

    private static double LogMarginal(double[][] x, double[] y, GaussianProcessHyperparameters hyperparameters)
    {
        var lower = Factorise(x, hyperparameters);
        return lower is null ? double.NegativeInfinity : LogMarginalFrom(lower, y, Solve(lower, y));
    }

    private static double LogMarginalFrom(double[] lower, double[] y, double[] alpha)
    {
        var n = y.Length;
        var value = -0.5 * n * Math.Log(2 * Math.PI);
        for (var i = 0; i < n; i++)
        {
            value -= (0.5 * y[i] * alpha[i]) + Math.Log(lower[(i * n) + i]);
        }

        return value;
    }

    // Lower Cholesky factor (row-major n×n) of K + σ²ₙI, with growing jitter when rounding makes it indefinite.
    private static double[]? Factorise(double[][] x, GaussianProcessHyperparameters hyperparameters)
    {
        var n = x.Length;
        var inverseLengthScales = hyperparameters.LogLengthScales.Select(l => Math.Exp(-l)).ToArray();
        var signal = Math.Exp(hyperparameters.LogSignalVariance);
        var noise = Math.Exp(hyperparameters.LogNoiseVariance);
        var kernel = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                kernel[(i * n) + j] = Kernel(x[i], x[j], inverseLengthScales, signal);
            }

            kernel[(i * n) + i] = signal + noise;
        }

        var lower = new double[n * n];
        var jitter = 0.0;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            if (Cholesky(kernel, n, jitter, lower))
            {
                return lower;
            }

            jitter = jitter == 0 ? 1e-10 * signal : jitter * 100;
        }

        return null;
    }

    // Reads the lower triangle of a, writes the factor into lower; false when a pivot is not positive.
    private static bool Cholesky(double[] a, int n, double jitter, double[] lower)
    {
        Array.Clear(lower);
        for (var i = 0; i < n; i++)
        {
            var rowI = i * n;
            for (var j = 0; j <= i; j++)
            {
                var rowJ = j * n;
                var sum = a[rowI + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= lower[rowI + k] * lower[rowJ + k];
                }

                if (i == j)
                {
                    sum += jitter;
                    if (!(sum > 0))
                    {
                        return false;
                    }

                    lower[rowI + i] = Math.Sqrt(sum);
                }
                else
                {
                    lower[rowI + j] = sum / lower[rowJ + j];
                }
            }
        }

        return true;
    }

    // (L Lᵀ)⁻¹ y.
    private static double[] Solve(double[] lower, double[] y)
    {
        var n = y.Length;
        var z = (double[])y.Clone();
        ForwardSubstitute(lower, n, z);
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= lower[(k * n) + i] * z[k];
            }

            z[i] = sum / lower[(i * n) + i];
        }

        return z;
    }

    private static void ForwardSubstitute(double[] lower, int n, double[] b)
    {
        for (var i = 0; i < n; i++)
        {
            var row = i * n;
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= lower[row + k] * b[k];
            }

            b[i] = sum / lower[row + i];
        }
    }
}

/// <summary>The Nelder–Mead simplex method: gradient-free, which suits a likelihood with clamped parameters.</summary>
internal static class NelderMead
{
    public static (double[] Point, double Value) Minimise(Func<double[], double> f, double[] start, double step, int maxEvaluations)
    {
        var n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])start.Clone();
        values[0] = f(simplex[0]);
        for (var i = 0; i < n; i++)
        {
            simplex[i + 1] = (double[])start.Clone();
            simplex[i + 1][i] += step;
            values[i + 1] = f(simplex[i + 1]);
        }

        var evaluations = n + 1;
        var order = new int[n + 1];
        var centroid = new double[n];
        while (evaluations < maxEvaluations)
        {
            for (var i = 0; i <= n; i++)
            {
                order[i] = i;
            }

            // A stable order (ties by index) keeps the run deterministic.
            Array.Sort(order, (a, b) => values[a] != values[b] ? values[a].CompareTo(values[b]) : a.CompareTo(b));
            var bestIndex = order[0];
            var worst = order[n];
            var secondWorst = order[n - 1];
            if (Math.Abs(values[worst] - values[bestIndex]) < 1e-9 * (1 + Math.Abs(values[bestIndex])))
            {
                break;
            }

            Array.Clear(centroid);
            for (var i = 0; i <= n; i++)
            {
                if (i == worst)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    centroid[j] += simplex[i][j] / n;
                }
            }

            double[] Along(double coefficient)
            {
                var point = new double[n];
                for (var j = 0; j < n; j++)
                {
                    point[j] = centroid[j] + (coefficient * (simplex[worst][j] - centroid[j]));
                }

                return point;
            }

            var reflected = Along(-1);
            var reflectedValue = f(reflected);
            evaluations++;
            if (reflectedValue < values[bestIndex])
            {
                var expanded = Along(-2);
                var expandedValue = f(expanded);
                evaluations++;
                (simplex[worst], values[worst]) = expandedValue < reflectedValue ? (expanded, expandedValue) : (reflected, reflectedValue);
            }
            else if (reflectedValue < values[secondWorst])
            {
                (simplex[worst], values[worst]) = (reflected, reflectedValue);
            }
            else
            {
                var contracted = reflectedValue < values[worst] ? Along(-0.5) : Along(0.5);
                var contractedValue = f(contracted);
                evaluations++;
                if (contractedValue < Math.Min(values[worst], reflectedValue))
                {
                    (simplex[worst], values[worst]) = (contracted, contractedValue);
                }
                else
                {
                    // Shrink towards the best vertex.
                    for (var i = 0; i <= n; i++)
                    {
                        if (i == bestIndex)
                        {
                            continue;
                        }

                        for (var j = 0; j < n; j++)
                        {
                            simplex[i][j] = simplex[bestIndex][j] + (0.5 * (simplex[i][j] - simplex[bestIndex][j]));
                        }

                        values[i] = f(simplex[i]);
                        evaluations++;
                    }
                }
            }
        }

        var best = 0;
        for (var i = 1; i <= n; i++)
        {
            if (values[i] < values[best])
            {
                best = i;
            }
        }

        return (simplex[best], values[best]);
    }
}
