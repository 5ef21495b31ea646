using static NasHpo.Core.Optimizers.Models.GaussianProcessAlgebra;

namespace NasHpo.Core.Optimizers.Models;

/// <summary>
/// Fitting a Gaussian process's hyperparameters: Nelder–Mead restarts maximising the log marginal likelihood within
/// the bounds of <see cref="GaussianProcessFitSettings"/>. Kept apart from conditioning and prediction, which take the
/// hyperparameters as given.
/// </summary>
internal sealed partial class GaussianProcess
{
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
}
