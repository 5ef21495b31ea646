namespace NasHpo.Core.Pareto;

/// <summary>Expected hypervolume improvement of a Gaussian prediction over a front (minimisation).</summary>
internal static class ExpectedHypervolumeImprovement
{
    /// <summary>Exact EHVI for two objectives with independent Gaussian predictions (mean, standard deviation per objective).</summary>
    /// <remarks>
    /// The improvement of an outcome Y is the area of the non-dominated region A (below the front's staircase and
    /// the reference) that Y dominates, so EHVI = ∫_A P(Y1 ≤ z1) P(Y2 ≤ z2) dz. A is a union of vertical strips
    /// [x_i, x_{i+1}) × (-∞, y_i) between consecutive staircase points, and with G(t) = ∫_{-∞}^t Φ = (t-μ)Φ(u) + σφ(u),
    /// u = (t-μ)/σ, each strip contributes (G1(x_{i+1}) - G1(x_i)) G2(y_i): the cell decomposition of Emmerich et al.
    /// (2006) in the closed form of Yang et al. (2019), O(n log n). With σ = 0, G(t) = max(t-μ, 0) and the result is the
    /// plain hypervolume improvement of the mean.
    /// </remarks>
    public static double Exact2D(IReadOnlyList<double[]> front, ReadOnlySpan<double> reference, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation)
    {
        if (reference.Length != 2)
        {
            throw new ArgumentException($"Exact EHVI is for two objectives; the reference point has {reference.Length}.", nameof(reference));
        }

        CheckPrediction(reference, mean, standardDeviation);
        ParetoInput.CheckAgainstReference(front, reference, nameof(front));
        var staircase = Staircase2D(front, reference);

        var total = 0.0;
        var previousG1 = 0.0;
        var height = reference[1];
        for (var i = 0; i <= staircase.Count; i++)
        {
            var right = i < staircase.Count ? staircase[i].X : reference[0];
            var g1 = IntegratedCdf(right, mean[0], standardDeviation[0]);
            total += (g1 - previousG1) * IntegratedCdf(height, mean[1], standardDeviation[1]);
            previousG1 = g1;
            if (i < staircase.Count)
            {
                height = staircase[i].Y;
            }
        }

        return total;
    }

    /// <summary>Monte-Carlo EHVI for any number of objectives.</summary>
    /// <remarks>The average, over samples drawn from the prediction with random, of the hypervolume each adds to the front.</remarks>
    public static double MonteCarlo(IReadOnlyList<double[]> front, ReadOnlySpan<double> reference, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation, int samples, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ParetoInput.CheckReference(reference);
        CheckPrediction(reference, mean, standardDeviation);
        ParetoInput.CheckAgainstReference(front, reference, nameof(front));

        var dimension = reference.Length;
        var buffer = new double[front.Count * dimension];
        var inside = ParetoInput.FlattenInside(front, reference, buffer, null);
        var members = new double[Math.Max(inside, 1) * dimension];
        var count = NonDominatedFilter.Filter(buffer, inside, dimension, members);
        var staircase = dimension == 2 ? Staircase2D(front, reference) : null;

        var sample = new double[dimension];
        var clip = new double[Math.Max(count, 1) * dimension];
        var scratch = new double[Math.Max(count, 1) * dimension];
        var gaussian = new GaussianSource(random);
        var sum = 0.0;
        for (var s = 0; s < samples; s++)
        {
            for (var j = 0; j < dimension; j++)
            {
                sample[j] = mean[j] + (standardDeviation[j] * gaussian.Next());
            }

            if (!ParetoInput.StrictlyInside(sample, reference))
            {
                continue;
            }

            if (staircase is not null)
            {
                sum += Improvement2D(staircase, reference, sample[0], sample[1]);
            }
            else if (HypervolumeKernel.TryContribution(sample, 0, members, count, -1, dimension, reference, clip, scratch, out var added))
            {
                sum += added;
            }
        }

        return sum / samples;
    }

    // ∫_{-∞}^{t} Φ((z-μ)/σ) dz, which for σ = 0 is max(t-μ, 0).
    private static double IntegratedCdf(double t, double mu, double sigma)
    {
        if (sigma == 0)
        {
            return Math.Max(t - mu, 0.0);
        }

        var u = (t - mu) / sigma;
        return (sigma * u * NormalDistribution.Cdf(u)) + (sigma * NormalDistribution.Density(u));
    }

    // The same strip sum as Exact2D for a single outcome.
    private static double Improvement2D(List<(double X, double Y)> staircase, ReadOnlySpan<double> reference, double y1, double y2)
    {
        var total = 0.0;
        var left = y1;
        var height = reference[1];
        for (var i = 0; i <= staircase.Count; i++)
        {
            var right = i < staircase.Count ? staircase[i].X : reference[0];
            if (right > left && height > y2)
            {
                total += (right - left) * (height - y2);
            }

            left = Math.Max(left, right);
            if (i < staircase.Count)
            {
                height = staircase[i].Y;
            }
        }

        return total;
    }

    // Non-dominated members strictly inside the reference, x ascending and y strictly descending.
    private static List<(double X, double Y)> Staircase2D(IReadOnlyList<double[]> front, ReadOnlySpan<double> reference)
    {
        var buffer = new double[front.Count * 2];
        var count = ParetoInput.FlattenInside(front, reference, buffer, null);
        var order = LexicographicOrder.Sort(buffer, count, 2);
        var staircase = new List<(double X, double Y)>();
        var lowestY = double.PositiveInfinity;
        foreach (var i in order)
        {
            var y = buffer[(2 * i) + 1];
            if (y < lowestY)
            {
                staircase.Add((buffer[2 * i], y));
                lowestY = y;
            }
        }

        return staircase;
    }

    private static void CheckPrediction(ReadOnlySpan<double> reference, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation)
    {
        if (mean.Length != reference.Length)
        {
            throw new ArgumentException($"The mean has {mean.Length} objectives but the reference point has {reference.Length}.", nameof(mean));
        }

        if (standardDeviation.Length != reference.Length)
        {
            throw new ArgumentException(
                $"The standard deviation has {standardDeviation.Length} objectives but the reference point has {reference.Length}.",
                nameof(standardDeviation));
        }

        for (var j = 0; j < mean.Length; j++)
        {
            if (!double.IsFinite(mean[j]))
            {
                throw new ArgumentException($"The mean of objective {j} is not finite.", nameof(mean));
            }

            if (!(standardDeviation[j] >= 0) || double.IsPositiveInfinity(standardDeviation[j]))
            {
                throw new ArgumentException($"The standard deviation of objective {j} must be finite and non-negative.", nameof(standardDeviation));
            }
        }
    }

    /// <summary>Standard normal draws by the Box–Muller transform, both values of each pair used.</summary>
    private sealed class GaussianSource(Random random)
    {
        private double _spare;
        private bool _hasSpare;

        public double Next()
        {
            if (_hasSpare)
            {
                _hasSpare = false;
                return _spare;
            }

            var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            var angle = 2.0 * Math.PI * random.NextDouble();
            _spare = radius * Math.Sin(angle);
            _hasSpare = true;
            return radius * Math.Cos(angle);
        }
    }
}
