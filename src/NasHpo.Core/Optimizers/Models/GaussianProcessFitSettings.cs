namespace NasHpo.Core.Optimizers.Models;

/// <summary>Hyperparameters of a Matérn 5/2 ARD Gaussian process, in log space (the space they are optimised in).</summary>
internal sealed record GaussianProcessHyperparameters(double[] LogLengthScales, double LogSignalVariance, double LogNoiseVariance);

/// <summary>
/// How the hyperparameters are fitted (Nelder–Mead restarts maximising the log marginal likelihood), and, for the
/// optimizers that keep their processes up to date as observations arrive, when (<see cref="GaussianProcessRefitSchedule"/>).
/// </summary>
internal sealed record GaussianProcessFitSettings
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
