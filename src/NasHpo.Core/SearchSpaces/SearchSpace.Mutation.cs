using NasHpo.Core.Randomness;

namespace NasHpo.Core.SearchSpaces;

internal sealed partial class SearchSpace
{
    /// <summary>Changes mutatedParameters active parameters: numbers by a Gaussian step of stdDev in unit space, choices by a different choice.</summary>
    /// <remarks>
    /// The parameters are drawn uniformly without replacement among the active ones that can take more than one value
    /// (all of them when fewer are available). Numbers move by a Gaussian step in unit space, reflected into [0, 1];
    /// an integer the step leaves unchanged moves to a neighbour instead. Categorical and boolean parameters take a
    /// different choice uniformly, ordinal ones a neighbouring choice. Afterwards children that became active are
    /// sampled uniformly and those that became inactive are dropped.
    /// </remarks>
    public Configuration Mutate(Configuration configuration, Random random, int mutatedParameters, double stdDev)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(mutatedParameters);
        if (!double.IsFinite(stdDev) || stdDev < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stdDev), stdDev, "the step must be a finite number ≥ 0");
        }

        var native = ValidateToNative(configuration);
        var candidates = new List<int>();
        for (var i = 0; i < native.Length; i++)
        {
            if (!double.IsNaN(native[i]) && UnitCube.HasSeveralValues(_parameters[i]))
            {
                candidates.Add(i);
            }
        }

        // Partial Fisher-Yates: the first k slots become a uniform draw without replacement.
        var count = Math.Min(mutatedParameters, candidates.Count);
        for (var slot = 0; slot < count; slot++)
        {
            var pick = slot + random.Next(candidates.Count - slot);
            (candidates[slot], candidates[pick]) = (candidates[pick], candidates[slot]);
            var index = candidates[slot];
            native[index] = MutateOne(_parameters[index], native[index], random, stdDev);
        }

        var wasActive = native.Select(v => !double.IsNaN(v)).ToArray();
        for (var i = 0; i < native.Length; i++)
        {
            var active = IsActive(i, native);
            if (!active)
            {
                native[i] = double.NaN;
            }
            else if (!wasActive[i])
            {
                native[i] = UnitCube.Decode(_parameters[i], random.NextDouble());
            }
        }

        return ToConfiguration(native);
    }

    private static double MutateOne(Parameter parameter, double value, Random random, double stdDev)
    {
        switch (parameter)
        {
            case FloatParameter or IntegerParameter:
                {
                    var u = UnitCube.Encode(parameter, value);
                    var moved = UnitCube.Decode(parameter, Reflect(u + (stdDev * Gaussian(random))));
                    if (moved != value)
                    {
                        return moved;
                    }

                    if (parameter is IntegerParameter p)
                    {
                        return value <= p.Lower ? value + 1 : value >= p.Upper ? value - 1 : value + (random.Next(2) == 0 ? -1 : 1);
                    }

                    // A float step too small to change the double: draw a fresh value rather than return an unchanged one.
                    return UnitCube.Decode(parameter, random.NextDouble());
                }

            case OrdinalParameter:
                {
                    var last = parameter.ChoiceCount - 1;
                    return value <= 0 ? 1 : value >= last ? last - 1 : value + (random.Next(2) == 0 ? -1 : 1);
                }

            default:
                {
                    // Uniform over the other choices: draw among n - 1 and skip the current one.
                    var other = random.Next(parameter.ChoiceCount - 1);
                    return other >= value ? other + 1 : other;
                }
        }
    }

    private static double Reflect(double u)
    {
        u = Math.Abs(u) % 2.0;
        return u > 1.0 ? 2.0 - u : u;
    }

    private static double Gaussian(Random random)
    {
        if (random is DeterministicRandom deterministic)
        {
            return deterministic.NextGaussian();
        }

        // Box-Muller on 1 - NextDouble(), which lies in (0, 1], so the logarithm is finite.
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        return radius * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }
}
