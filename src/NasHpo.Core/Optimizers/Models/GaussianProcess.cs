using static NasHpo.Core.Optimizers.Models.GaussianProcessAlgebra;

namespace NasHpo.Core.Optimizers.Models;

/// <summary>
/// A Gaussian process regression model with a Matérn 5/2 kernel, one length scale per input dimension (ARD) and
/// Gaussian observation noise, on standardised targets. Self-contained (its own Cholesky, in <see cref="GaussianProcessAlgebra"/>) so that the core stays
/// free of package dependencies and gives bit-identical results on every machine: the matrices are small
/// (one row per observation, a few hundred at most), where a dense O(n³) factorisation in plain C# is fast enough.
/// </summary>
internal sealed partial class GaussianProcess
{
    /// <summary>What inactive (NaN) inputs become: outside [0, 1], and equal to each other, so two configurations that both lack a parameter agree on it.</summary>
    public const double InactiveValue = -0.5;

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
}
