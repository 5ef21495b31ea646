namespace NasHpo.Core.Optimizers.Models;

/// <summary>
/// The linear algebra of <see cref="GaussianProcess"/>, shared by fitting its hyperparameters and by prediction: the
/// Matérn 5/2 ARD kernel, the Cholesky factor of the kernel matrix (with growing jitter when rounding makes it
/// indefinite), triangular solves and the log marginal likelihood. Plain C# on row-major arrays, so that results are
/// bit-identical on every machine; the matrices are small (one row per observation, a few hundred at most).
/// </summary>
internal static class GaussianProcessAlgebra
{
    private static readonly double Sqrt5 = Math.Sqrt(5.0);

    internal static double Kernel(double[] a, double[] b, double[] inverseLengthScales, double signalVariance)
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

    internal static double LogMarginal(double[][] x, double[] y, GaussianProcessHyperparameters hyperparameters)
    {
        var lower = Factorise(x, hyperparameters);
        return lower is null ? double.NegativeInfinity : LogMarginalFrom(lower, y, Solve(lower, y));
    }

    internal static double LogMarginalFrom(double[] lower, double[] y, double[] alpha)
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
    internal static double[]? Factorise(double[][] x, GaussianProcessHyperparameters hyperparameters)
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
    internal static bool Cholesky(double[] a, int n, double jitter, double[] lower)
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
    internal static double[] Solve(double[] lower, double[] y)
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

    internal static void ForwardSubstitute(double[] lower, int n, double[] b)
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
