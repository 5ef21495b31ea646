namespace NasHpo.Core.Problems;

/// <summary>
/// How a synthetic problem is instantiated.
/// </summary>
/// <param name="Dimensions">Number of decision variables n, each in [0, 1].</param>
/// <param name="Objectives">Number of objectives m; ZDT problems have exactly 2.</param>
/// <param name="Delay">
/// Wall time one evaluation should take at the full budget, scaled linearly with the budget. Metadata only: the
/// problem itself never sleeps, so that it stays a pure function; the evaluator that runs it does.
/// </param>
/// <param name="NoiseScale">Multiplies the low-fidelity bias and noise; 0 makes every budget exact.</param>
internal sealed record SyntheticProblemOptions(int Dimensions, int Objectives = 2, TimeSpan Delay = default, double NoiseScale = 1.0);
