using NasHpo.Core.Optimizers.Models;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.Tests.Optimizers;

public class GaussianProcessTests
{
    private static readonly double[][] Inputs = Enumerable.Range(0, 12).Select(i => new[] { i / 11.0 }).ToArray();

    private static double Smooth(double x) => Math.Sin(6 * x) + (0.5 * x);

    private static double[] Targets => Inputs.Select(x => Smooth(x[0])).ToArray();

    private static GaussianProcess FitSmooth() => GaussianProcess.Fit(Inputs, Targets, new DeterministicRandom(7));

    [Fact]
    public void Interpolates_noise_free_data()
    {
        var model = FitSmooth();
        for (var i = 0; i < Inputs.Length; i++)
        {
            var (mean, sd) = model.Predict(Inputs[i]);
            Assert.Equal(Targets[i], mean, 2);
            Assert.True(sd < 0.05, $"sd {sd} at a training input");
        }

        // Between training inputs the smooth function is still well predicted.
        Assert.Equal(Smooth(0.5), model.Predict([0.5]).Mean, 1);
    }

    [Fact]
    public void Uncertainty_shrinks_near_data()
    {
        var inputs = new[] { new[] { 0.2, 0.2 }, new[] { 0.3, 0.25 }, new[] { 0.25, 0.35 } };
        var model = GaussianProcess.Fit(inputs, [1.0, 2.0, 1.5], new DeterministicRandom(1));
        var near = model.Predict([0.25, 0.27]).StandardDeviation;
        var far = model.Predict([0.95, 0.9]).StandardDeviation;
        Assert.True(near < far, $"sd near the data {near} is not below sd far away {far}");
    }

    [Fact]
    public void Marginal_likelihood_prefers_a_sensible_length_scale_on_a_smooth_function()
    {
        double At(double lengthScale) => GaussianProcess.LogMarginalLikelihoodOf(
            Inputs, Targets, new GaussianProcessHyperparameters([Math.Log(lengthScale)], 0, Math.Log(1e-6)));

        // sin(6x) varies on a scale of about 0.2: far shorter scales explain nothing, far longer ones cannot bend.
        Assert.True(At(0.25) > At(0.01), $"{At(0.25)} vs {At(0.01)}");
        Assert.True(At(0.25) > At(10), $"{At(0.25)} vs {At(10)}");
        var fitted = Math.Exp(FitSmooth().Hyperparameters.LogLengthScales[0]);
        Assert.InRange(fitted, 0.05, 2.0);
    }

    [Fact]
    public void Fit_is_deterministic_and_inactive_inputs_compare_equal()
    {
        var inputs = new[] { new[] { 0.1, double.NaN }, new[] { 0.5, 0.4 }, new[] { 0.9, double.NaN }, new[] { 0.3, 0.8 } };
        double[] targets = [1, 0, 1, 2];
        var a = GaussianProcess.Fit(inputs, targets, new DeterministicRandom(3));
        var b = GaussianProcess.Fit(inputs, targets, new DeterministicRandom(3));
        Assert.Equal(a.Hyperparameters.LogLengthScales, b.Hyperparameters.LogLengthScales);
        Assert.Equal(a.Predict([0.2, double.NaN]), b.Predict([0.2, double.NaN]));
        Assert.True(double.IsFinite(a.Predict([0.1, double.NaN]).Mean));
    }
}
