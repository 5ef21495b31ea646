using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Statistics;

namespace NasHpo.Core.Optimizers.Samplers;

/// <summary>
/// A kernel density over encoded configurations (unit cube, NaN for inactive parameters), for TPE-style samplers.
/// Numeric and ordinal dimensions use Gaussian kernels truncated to [0, 1]; categorical and boolean ones the
/// Aitchison–Aitken kernel. In joint mode (BOHB) each observation is one product kernel over all dimensions; in
/// independent mode (MOTPE, as MO-BOHB's hierarchy of one-dimensional KDEs) every dimension is its own mixture.
/// Each mixture also holds a uniform prior component, so densities never vanish and a handful of points cannot
/// make a region impossible.
/// </summary>
/// <remarks>
/// Scoring candidates is the sampler's hot path, so the data are kept column by column with everything that does
/// not depend on the candidate precomputed: a joint product kernel costs one exp per observation (the Gaussian
/// factors multiply into the exponent), and a categorical mixture costs O(1) from per-choice counts.
/// </remarks>
internal sealed class ParzenEstimator
{
    private const double LogInverseSqrtTwoPi = -0.91893853320467274178;

    private readonly int _count;
    private readonly int _dimensions;
    private readonly bool _joint;
    private readonly double _priorWeight;
    private readonly double[] _bandwidths;
    private readonly bool[] _categorical;
    private readonly int[] _choices;

    // Column-major: [dimension][observation]. Centres are NaN where the observation leaves the dimension inactive.
    private readonly double[][] _centres;

    // log(1 / (h · mass of the kernel inside [0, 1])) + log(1/√(2π)), per dimension and observation.
    private readonly double[][] _logScale;

    // Categorical dimensions: each observation's choice (−1 when inactive), and how many observations chose each.
    private readonly int[][] _choiceOf;
    private readonly int[][] _choiceCounts;
    private readonly int[] _activeCounts;

    public ParzenEstimator(SearchSpace space, IReadOnlyList<double[]> data, bool joint, double minBandwidth = 1e-3)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException("a density needs at least one observation", nameof(data));
        }

        _count = data.Count;
        _dimensions = space.Dimension;
        _joint = joint;
        _priorWeight = 1.0 / (data.Count + 1);
        _bandwidths = new double[_dimensions];
        _categorical = new bool[_dimensions];
        _choices = new int[_dimensions];
        _centres = new double[_dimensions][];
        _logScale = new double[_dimensions][];
        _choiceOf = new int[_dimensions][];
        _choiceCounts = new int[_dimensions][];
        _activeCounts = new int[_dimensions];

        // Scott's rule per dimension; the exponent uses the dimension count in joint mode, 1 otherwise.
        var exponent = -1.0 / ((joint ? _dimensions : 1) + 4);
        for (var d = 0; d < _dimensions; d++)
        {
            var parameter = space.Parameters[d];
            _categorical[d] = parameter.Kind is ParameterKind.Categorical or ParameterKind.Boolean;
            _choices[d] = parameter.ChoiceCount;
            var column = new double[_count];
            var active = 0;
            var sum = 0.0;
            for (var j = 0; j < _count; j++)
            {
                column[j] = data[j][d];
                if (!double.IsNaN(column[j]))
                {
                    active++;
                    sum += column[j];
                }
            }

            _centres[d] = column;
            _activeCounts[d] = active;
            var sigma = StandardDeviation(column, active, sum);
            var bandwidth = 1.06 * sigma * Math.Pow(Math.Max(active, 1), exponent);
            var choices = _choices[d];
            if (_categorical[d])
            {
                // Aitchison–Aitken λ: the probability mass moved off the observed choice, at most uniform.
                _bandwidths[d] = Math.Clamp(bandwidth, minBandwidth, (choices - 1.0) / choices);
                _choiceOf[d] = new int[_count];
                _choiceCounts[d] = new int[choices];
                for (var j = 0; j < _count; j++)
                {
                    var choice = double.IsNaN(column[j]) ? -1 : ChoiceIndex(column[j], choices);
                    _choiceOf[d][j] = choice;
                    if (choice >= 0)
                    {
                        _choiceCounts[d][choice]++;
                    }
                }
            }
            else
            {
                // A discrete dimension's cells are 1/choices wide; narrower kernels would only see one point.
                var floor = choices > 0 ? Math.Max(minBandwidth, 0.5 / choices) : minBandwidth;
                var h = Math.Clamp(bandwidth, floor, 1.0);
                _bandwidths[d] = h;
                var logScale = new double[_count];
                for (var j = 0; j < _count; j++)
                {
                    var centre = column[j];
                    if (double.IsNaN(centre))
                    {
                        continue;
                    }

                    // Normalised on [0, 1], so both densities of a ratio l/g live on the same support.
                    var mass = NormalDistribution.Cdf((1.0 - centre) / h) - NormalDistribution.Cdf(-centre / h);
                    logScale[j] = LogInverseSqrtTwoPi - Math.Log(h * Math.Max(mass, 1e-300));
                }

                _logScale[d] = logScale;
            }
        }
    }

    /// <summary>Log density of an encoded configuration; inactive (NaN) dimensions are left out.</summary>
    public double LogDensity(ReadOnlySpan<double> x) => _joint ? JointLogDensity(x) : IndependentLogDensity(x);

    /// <summary>
    /// Draws an encoded point: around one observation (joint mode) or around an observation chosen per dimension
    /// (independent mode), with bandwidths widened by <paramref name="bandwidthFactor"/> to explore more (BOHB's b_w).
    /// Dimensions the chosen observation leaves inactive are drawn uniformly.
    /// </summary>
    public double[] Sample(Random random, double bandwidthFactor = 1.0)
    {
        var x = new double[_dimensions];
        var anchor = random.Next(_count);
        for (var d = 0; d < x.Length; d++)
        {
            var centre = _centres[d][_joint ? anchor : random.Next(_count)];
            if (double.IsNaN(centre) || random.NextDouble() < (_joint ? 0.0 : 1.0 / (_count + 1)))
            {
                x[d] = random.NextDouble();
                continue;
            }

            var bandwidth = _bandwidths[d];
            if (_categorical[d])
            {
                var choices = _choices[d];
                var lambda = Math.Min(bandwidth * bandwidthFactor, (choices - 1.0) / choices);
                x[d] = random.NextDouble() < lambda ? OtherChoice(random, centre, choices) : centre;
            }
            else
            {
                x[d] = SampleTruncatedNormal(random, centre, Math.Min(bandwidth * bandwidthFactor, 1.0));
            }
        }

        return x;
    }

    private double JointLogDensity(ReadOnlySpan<double> x)
    {
        // exponent[j] = Σ_d log k_d(x_d; centre_jd), over dimensions active in both x and observation j.
        var exponent = new double[_count];
        for (var d = 0; d < _dimensions; d++)
        {
            var value = x[d];
            if (double.IsNaN(value))
            {
                continue;
            }

            var centres = _centres[d];
            if (_categorical[d])
            {
                var choices = _choices[d];
                var lambda = _bandwidths[d];
                var logSame = Math.Log((1.0 - lambda) * choices);
                var logOther = Math.Log(lambda / (choices - 1) * choices);
                var choice = ChoiceIndex(value, choices);
                var of = _choiceOf[d];
                for (var j = 0; j < _count; j++)
                {
                    if (of[j] >= 0)
                    {
                        exponent[j] += of[j] == choice ? logSame : logOther;
                    }
                }
            }
            else
            {
                var inverse = 1.0 / _bandwidths[d];
                var logScale = _logScale[d];
                for (var j = 0; j < _count; j++)
                {
                    var centre = centres[j];
                    if (!double.IsNaN(centre))
                    {
                        var z = (value - centre) * inverse;
                        exponent[j] += logScale[j] - (0.5 * z * z);
                    }
                }
            }
        }

        var sum = 0.0;
        for (var j = 0; j < _count; j++)
        {
            sum += Math.Exp(exponent[j]);
        }

        return Math.Log(_priorWeight + ((1.0 - _priorWeight) / _count * sum));
    }

    private double IndependentLogDensity(ReadOnlySpan<double> x)
    {
        var logDensity = 0.0;
        for (var d = 0; d < _dimensions; d++)
        {
            var value = x[d];
            if (double.IsNaN(value))
            {
                continue;
            }

            var active = _activeCounts[d];
            double mixture;
            if (active == 0)
            {
                mixture = 0.0;
            }
            else if (_categorical[d])
            {
                var choices = _choices[d];
                var lambda = _bandwidths[d];
                var same = _choiceCounts[d][ChoiceIndex(value, choices)];
                mixture = ((same * (1.0 - lambda)) + ((active - same) * lambda / (choices - 1))) * choices / active;
            }
            else
            {
                var inverse = 1.0 / _bandwidths[d];
                var centres = _centres[d];
                var logScale = _logScale[d];
                var sum = 0.0;
                for (var j = 0; j < _count; j++)
                {
                    var centre = centres[j];
                    if (!double.IsNaN(centre))
                    {
                        var z = (value - centre) * inverse;
                        sum += Math.Exp(logScale[j] - (0.5 * z * z));
                    }
                }

                mixture = sum / active;
            }

            var prior = 1.0 / (active + 1);
            logDensity += Math.Log(prior + ((1.0 - prior) * mixture));
        }

        return logDensity;
    }

    private static int ChoiceIndex(double encoded, int choices) => Math.Clamp((int)(encoded * choices), 0, choices - 1);

    private static double OtherChoice(Random random, double encoded, int choices)
    {
        var current = ChoiceIndex(encoded, choices);
        var other = random.Next(choices - 1);
        if (other >= current)
        {
            other++;
        }

        return (other + 0.5) / choices;
    }

    private static double SampleTruncatedNormal(Random random, double centre, double bandwidth)
    {
        // Rejection is cheap here: the centre lies in [0, 1], so at least ~16 % of the mass is inside.
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            var value = centre + (bandwidth * z);
            if (value is >= 0.0 and <= 1.0)
            {
                return value;
            }
        }

        return Math.Clamp(centre, 0.0, 1.0);
    }

    private static double StandardDeviation(double[] column, int active, double sum)
    {
        if (active < 2)
        {
            return 0.0;
        }

        var mean = sum / active;
        var squares = 0.0;
        foreach (var v in column)
        {
            if (!double.IsNaN(v))
            {
                squares += (v - mean) * (v - mean);
            }
        }

        return Math.Sqrt(squares / (active - 1));
    }
}
