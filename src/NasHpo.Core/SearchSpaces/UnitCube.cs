namespace NasHpo.Core.SearchSpaces;

/// <summary>
/// Maps between a parameter's native value and [0, 1]. Native values: the number for floats and integers, 0/1 for
/// booleans, the choice position for categorical and ordinal parameters.
/// </summary>
internal static class UnitCube
{
    // Largest integer range whose cell arithmetic stays exact in doubles.
    internal const double MaxExactInteger = 9.007199254740992E15;

    private const int RoundTripSearchSteps = 64;

    /// <summary>Every u in [0, 1] maps to a value; a uniform u gives the sampling distribution of the parameter.</summary>
    public static double Decode(Parameter parameter, double u)
    {
        u = double.IsNaN(u) ? 0.5 : Math.Clamp(u, 0.0, 1.0);
        switch (parameter)
        {
            case FloatParameter p:
                return DecodeFloat(p, u);
            case IntegerParameter p when p.Log:
                {
                    var low = Math.Log(p.Lower - 0.5);
                    var high = Math.Log(p.Upper + 0.5);
                    var x = Math.Exp(low + (u * (high - low)));
                    return Math.Clamp(Math.Round(x, MidpointRounding.AwayFromZero), p.Lower, p.Upper);
                }

            case IntegerParameter p:
                {
                    var cells = (double)p.Upper - p.Lower + 1.0;
                    return p.Lower + Math.Min(Math.Floor(u * cells), cells - 1.0);
                }

            default:
                {
                    var n = parameter.ChoiceCount;
                    return Math.Min(Math.Floor(u * n), n - 1);
                }
        }
    }

    /// <summary>The centre of the value's cell; for floats, a u that decodes back to exactly the same double when one exists nearby.</summary>
    public static double Encode(Parameter parameter, double native)
    {
        switch (parameter)
        {
            case FloatParameter p:
                return EncodeFloat(p, native);
            case IntegerParameter p when p.Log:
                {
                    var low = Math.Log(p.Lower - 0.5);
                    var high = Math.Log(p.Upper + 0.5);
                    var centre = 0.5 * (Math.Log(native - 0.5) + Math.Log(native + 0.5));
                    return Math.Clamp((centre - low) / (high - low), 0.0, 1.0);
                }

            case IntegerParameter p:
                return (native - p.Lower + 0.5) / ((double)p.Upper - p.Lower + 1.0);
            default:
                return (native + 0.5) / parameter.ChoiceCount;
        }
    }

    /// <summary>Whether the parameter can take more than one value, i.e. whether mutation can change it.</summary>
    public static bool HasSeveralValues(Parameter parameter) => parameter switch
    {
        FloatParameter p => p.Upper > p.Lower,
        IntegerParameter p => p.Upper > p.Lower,
        _ => parameter.ChoiceCount > 1,
    };

    private static double DecodeFloat(FloatParameter p, double u)
    {
        if (u <= 0.0 || p.Upper == p.Lower)
        {
            return p.Lower;
        }

        if (u >= 1.0)
        {
            return p.Upper;
        }

        var x = p.Log
            ? Math.Exp(Math.Log(p.Lower) + (u * (Math.Log(p.Upper) - Math.Log(p.Lower))))
            : p.Lower + (u * (p.Upper - p.Lower));
        return Math.Clamp(x, p.Lower, p.Upper);
    }

    private static double EncodeFloat(FloatParameter p, double x)
    {
        if (p.Upper == p.Lower)
        {
            return 0.5;
        }

        var guess = p.Log
            ? (Math.Log(x) - Math.Log(p.Lower)) / (Math.Log(p.Upper) - Math.Log(p.Lower))
            : (x - p.Lower) / (p.Upper - p.Lower);
        guess = Math.Clamp(guess, 0.0, 1.0);

        // Rounding makes the direct formula miss by a few ulps; values that came from Decode (sampling, mutation)
        // have an exact preimage close by, and finding it makes Decode(Encode(c)) == c hold exactly for them.
        var up = guess;
        var down = guess;
        for (var step = 0; step <= RoundTripSearchSteps; step++)
        {
            if (DecodeFloat(p, up) == x)
            {
                return up;
            }

            if (DecodeFloat(p, down) == x)
            {
                return down;
            }

            up = Math.Min(Math.BitIncrement(up), 1.0);
            down = Math.Max(Math.BitDecrement(down), 0.0);
        }

        return guess;
    }
}
