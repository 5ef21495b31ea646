using NasHpo.Core.Randomness;

namespace NasHpo.Core.Problems;

/// <summary>
/// DTLZ2 (Deb, Thiele, Laumanns and Zitzler, 2002) with m objectives and n variables, k = n - m + 1:
/// g = sum over the last k variables of (x - 1/2)^2, and f lies on a sphere of radius 1 + g; the true front is the
/// positive orthant of the unit sphere (the last k variables at 1/2).
/// </summary>
internal sealed class Dtlz2Problem : SyntheticProblem
{
    public Dtlz2Problem(SyntheticProblemOptions options)
        : base("dtlz2", Validate(options), Reference(options))
    {
    }

    /// <summary>k = n - m + 1, the number of distance variables.</summary>
    public override int DistanceVariableCount => Dimensions - Objectives.Count + 1;

    /// <summary>
    /// For two objectives, evenly spaced angles including both ends; for more, the m corners first and then a fixed
    /// pseudo-random sample that is uniform on the sphere (the same points on every call and in every process).
    /// </summary>
    public override IReadOnlyList<double[]> TrueFront(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var m = Objectives.Count;
        var front = new List<double[]>(count);
        if (m == 2)
        {
            for (var i = 0; i < count; i++)
            {
                var angle = count == 1 ? 0.0 : Math.PI / 2.0 * i / (count - 1);
                front.Add([Math.Cos(angle), Math.Sin(angle)]);
            }

            return front;
        }

        for (var j = 0; j < m && front.Count < count; j++)
        {
            var corner = new double[m];
            corner[j] = 1.0;
            front.Add(corner);
        }

        var random = new DeterministicRandom(StableHash.Combine(StableHash.Of("dtlz2-true-front"), (ulong)m));
        while (front.Count < count)
        {
            // Absolute Gaussians normalised are uniform on the positive orthant of the sphere.
            var point = new double[m];
            var norm = 0.0;
            for (var j = 0; j < m; j++)
            {
                point[j] = Math.Abs(random.NextGaussian());
                norm += point[j] * point[j];
            }

            norm = Math.Sqrt(norm);
            if (norm == 0.0)
            {
                continue;
            }

            for (var j = 0; j < m; j++)
            {
                point[j] /= norm;
            }

            front.Add(point);
        }

        return front;
    }

    /// <summary>Exact: the box minus the positive orthant of the unit ball.</summary>
    public override double TrueHypervolume(ReadOnlySpan<double> reference)
    {
        var m = Objectives.Count;
        var nadir = new double[m];
        Array.Fill(nadir, 1.0);
        ValidateReference(reference, nadir);
        var box = 1.0;
        foreach (var r in reference)
        {
            box *= r;
        }

        return box - (UnitBallVolume(m) / Math.Pow(2.0, m));
    }

    protected override void EvaluateExact(ReadOnlySpan<double> x, Span<double> objectives)
    {
        var m = objectives.Length;
        var g = 0.0;
        for (var i = m - 1; i < x.Length; i++)
        {
            var d = x[i] - 0.5;
            g += d * d;
        }

        // f_j = (1 + g) * cos(x_0 pi/2) ... cos(x_{m-2-j} pi/2) * sin(x_{m-1-j} pi/2), the sine absent for j = 0.
        for (var j = 0; j < m; j++)
        {
            var value = 1.0 + g;
            for (var i = 0; i < m - 1 - j; i++)
            {
                value *= Math.Cos(x[i] * Math.PI / 2.0);
            }

            if (j > 0)
            {
                value *= Math.Sin(x[m - 1 - j] * Math.PI / 2.0);
            }

            objectives[j] = value;
        }
    }

    private static double UnitBallVolume(int dimension)
    {
        // V_0 = 1, V_1 = 2, V_d = 2 pi / d * V_{d-2}.
        var volume = dimension % 2 == 0 ? 1.0 : 2.0;
        for (var d = dimension % 2 == 0 ? 2 : 3; d <= dimension; d += 2)
        {
            volume *= 2.0 * Math.PI / d;
        }

        return volume;
    }

    private static SyntheticProblemOptions Validate(SyntheticProblemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Objectives < 2)
        {
            throw new ArgumentException($"dtlz2 needs at least 2 objectives, not {options.Objectives}", nameof(options));
        }

        if (options.Dimensions < options.Objectives)
        {
            throw new ArgumentException(
                $"dtlz2 needs at least as many dimensions as objectives ({options.Objectives}), not {options.Dimensions}", nameof(options));
        }

        return options;
    }

    // Every objective is at most 1 + g <= 1 + k/4, so 1.1 * (1 + k/4) bounds every attainable point (see
    // SyntheticProblem.ReferencePoint for why a bounding reference).
    private static double[] Reference(SyntheticProblemOptions options)
    {
        var k = options.Dimensions - options.Objectives + 1;
        var reference = new double[options.Objectives];
        Array.Fill(reference, 1.1 * (1.0 + (k / 4.0)));
        return reference;
    }
}
