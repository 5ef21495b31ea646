namespace NasHpo.Core.Pareto;

/// <summary>Standard normal density and distribution function (.NET has no erf).</summary>
internal static class NormalDistribution
{
    private const double InverseSqrtTwoPi = 0.398942280401432677939946059934;
    private const double InverseSqrtTwo = 0.707106781186547524400844362105;
    private const double TwoOverSqrtPi = 1.12837916709551257389615890312;
    private const double InverseSqrtPi = 0.564189583547756286948079451561;

    public static double Density(double z) => InverseSqrtTwoPi * Math.Exp(-0.5 * z * z);

    public static double Cdf(double z) => 0.5 * Erfc(-z * InverseSqrtTwo);

    /// <summary>Complementary error function to about 1e-15 relative accuracy.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2.0 - Erfc(-x);
        }

        if (x < 2.0)
        {
            return 1.0 - Erf(x);
        }

        if (x > 27.0)
        {
            return 0.0;
        }

        // Continued fraction erfc(x) = exp(-x²)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated
        // with the modified Lentz method; it converges fast for x >= 2.
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < 500; n++)
        {
            var a = 0.5 * n;
            d = x + (a * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + (a / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1.0 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16)
            {
                break;
            }
        }

        return InverseSqrtPi * Math.Exp(-x * x) / f;
    }

    // erf(x) = 2/sqrt(pi) exp(-x²) sum 2^n x^(2n+1) / (1·3·…·(2n+1)): every term positive, so no cancellation.
    private static double Erf(double x)
    {
        var term = x;
        var sum = x;
        var x2 = x * x;
        for (var n = 1; n < 200; n++)
        {
            term *= 2.0 * x2 / ((2 * n) + 1);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }
}
