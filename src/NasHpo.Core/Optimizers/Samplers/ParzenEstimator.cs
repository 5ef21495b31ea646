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
public sealed class ParzenEstimator
{
    private readonly SearchSpace _space;
    private readonly double[][] _data;
    private readonly double[] _bandwidths;
    private readonly bool _joint;
    private readonly double _priorWeight;

    // 1 / (h · mass of the kernel inside [0, 1]) per observation and dimension: scoring then costs one exp per kernel.
    private readonly double[][] _scale;

    public ParzenEstimator(SearchSpace space, IReadOnlyList<double[]> data, bool joint, double minBandwidth = 1e-3)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException("a density needs at least one observation", nameof(data));
        }

        _space = space;
        _data = data.ToArray();
        _joint = joint;
        _priorWeight = 1.0 / (data.Count + 1);
        _bandwidths = new double[space.Dimension];

        // Scott's rule per dimension; the exponent uses the dimension count in joint mode, 1 otherwise.
        var exponent = -1.0 / ((joint ? space.Dimension : 1) + 4);
        for (var d = 0; d < space.Dimension; d++)
        {
            var values = _data.Select(x => x[d]).Where(v => !double.IsNaN(v)).ToArray();
            var sigma = values.Length > 1 ? StandardDeviation(values) : 0.0;
            var bandwidth = 1.06 * sigma * Math.Pow(Math.Max(values.Length, 1), exponent);
            var choices = space.Parameters[d].ChoiceCount;
            if (IsCategorical(space.Parameters[d]))
            {
                // Aitchison–Aitken λ: the probability mass moved off the observed choice, at most uniform.
                _bandwidths[d] = Math.Clamp(bandwidth, minBandwidth, (choices - 1.0) / choices);
            }
            else
            {
                // A discrete dimension's cells are 1/choices wide; narrower kernels would only see one point.
                var floor = choices > 0 ? Math.Max(minBandwidth, 0.5 / choices) : minBandwidth;
                _bandwidths[d] = Math.Clamp(bandwidth, floor, 1.0);
            }
        }

        _scale = new double[_data.Length][];
        for (var j = 0; j < _data.Length; j++)
        {
            _scale[j] = new double[space.Dimension];
            for (var d = 0; d < space.Dimension; d++)
            {
                var centre = _data[j][d];
                var h = _bandwidths[d];
                if (double.IsNaN(centre) || IsCategorical(space.Parameters[d]))
                {
                    continue;
                }

                var mass = NormalDistribution.Cdf((1.0 - centre) / h) - NormalDistribution.Cdf(-centre / h);
                _scale[j][d] = 1.0 / (h * Math.Max(mass, 1e-300));
            }
        }
    }

    public IReadOnlyList<double> Bandwidths => _bandwidths;

    /// <summary>Log density of an encoded configuration; inactive (NaN) dimensions are left out.</summary>
    public double LogDensity(ReadOnlySpan<double> x)
    {
        if (_joint)
        {
            var sum = _priorWeight;
            for (var j = 0; j < _data.Length; j++)
            {
                var datum = _data[j];
                var product = 1.0;
                for (var d = 0; d < x.Length && product > 0; d++)
                {
                    if (!double.IsNaN(x[d]))
                    {
                        product *= double.IsNaN(datum[d]) ? 1.0 : Kernel(j, d, x[d]);
                    }
                }

                sum += (1.0 - _priorWeight) / _data.Length * product;
            }

            return Math.Log(sum);
        }

        var logDensity = 0.0;
        for (var d = 0; d < x.Length; d++)
        {
            if (double.IsNaN(x[d]))
            {
                continue;
            }

            var count = 0;
            var mixture = 0.0;
            for (var j = 0; j < _data.Length; j++)
            {
                if (!double.IsNaN(_data[j][d]))
                {
                    mixture += Kernel(j, d, x[d]);
                    count++;
                }
            }

            var prior = 1.0 / (count + 1);
            logDensity += Math.Log(prior + (count == 0 ? 0.0 : (1.0 - prior) * mixture / count));
        }

        return logDensity;
    }

    /// <summary>
    /// Draws an encoded point: around one observation (joint mode) or around an observation chosen per dimension
    /// (independent mode), with bandwidths widened by <paramref name="bandwidthFactor"/> to explore more (BOHB's b_w).
    /// Dimensions the chosen observation leaves inactive are drawn uniformly.
    /// </summary>
    public double[] Sample(Random random, double bandwidthFactor = 1.0)
    {
        var x = new double[_space.Dimension];
        var anchor = _data[random.Next(_data.Length)];
        for (var d = 0; d < x.Length; d++)
        {
            var centre = _joint ? anchor[d] : _data[random.Next(_data.Length)][d];
            if (double.IsNaN(centre) || random.NextDouble() < (_joint ? 0.0 : 1.0 / (_data.Length + 1)))
            {
                x[d] = random.NextDouble();
                continue;
            }

            var bandwidth = _bandwidths[d];
            var parameter = _space.Parameters[d];
            if (IsCategorical(parameter))
            {
                var lambda = Math.Min(bandwidth * bandwidthFactor, (parameter.ChoiceCount - 1.0) / parameter.ChoiceCount);
                x[d] = random.NextDouble() < lambda ? OtherChoice(random, centre, parameter.ChoiceCount) : centre;
            }
            else
            {
                x[d] = SampleTruncatedNormal(random, centre, Math.Min(bandwidth * bandwidthFactor, 1.0));
            }
        }

        return x;
    }

    private double Kernel(int j, int d, double x)
    {
        var centre = _data[j][d];
        var bandwidth = _bandwidths[d];
        var choices = _space.Parameters[d].ChoiceCount;
        if (IsCategorical(_space.Parameters[d]))
        {
            var same = ChoiceIndex(x, choices) == ChoiceIndex(centre, choices);
            return (same ? 1.0 - bandwidth : bandwidth / (choices - 1)) * choices;
        }

        // Normalised on [0, 1], so both densities in a ratio l/g live on the same support.
        var z = (x - centre) / bandwidth;
        return NormalDistribution.Density(z) * _scale[j][d];
    }

    private static bool IsCategorical(Parameter parameter) =>
        parameter.Kind is ParameterKind.Categorical or ParameterKind.Boolean;

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

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return Math.Sqrt(variance);
    }
}
