namespace NasHpo.Core.Statistics;

/// <summary>The standard normal distribution's density and distribution function, to double precision.</summary>
internal static class NormalDistribution
{
    private const double InverseSqrtTwoPi = 0.39894228040143267794;

    public static double Density(double x) => InverseSqrtTwoPi * Math.Exp(-0.5 * x * x);

    /// <summary>Φ(x), computed through erfc so that far tails keep their relative precision.</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2.0));

    /// <summary>
    /// Complementary error function: W. J. Cody's rational Chebyshev approximations (1969), relative error
    /// below 1e-15 over the whole real line.
    /// </summary>
    public static double Erfc(double x)
    {
        var ax = Math.Abs(x);
        double result;
        if (ax < 0.5)
        {
            // erfc = 1 − erf on the small range.
            var t = x * x;
            var top = (((((0.185777706184603153 * t) + 3.16112374387056560) * t) + 113.864154151050156) * t) + 377.485237685302021;
            top = (top * t) + 3209.37758913846947;
            var bottom = (((((t + 23.6012909523441209) * t) + 244.024637934444173) * t) + 1282.61652607737228) * t;
            bottom += 2844.23683343917062;
            return 1.0 - (x * top / bottom);
        }

        if (ax < 4.0)
        {
            var top = (((((((((2.15311535474403846e-8 * ax) + 0.564188496988670089) * ax) + 8.88314979438837594) * ax)
                + 66.1191906371416295) * ax) + 298.635138197400131) * ax) + 881.952221241769090;
            top = (((top * ax) + 1712.04761263407058) * ax) + 2051.07837782607147;
            top = (top * ax) + 1230.33935479799725;
            var bottom = (((((((ax + 15.7449261107098347) * ax) + 117.693950891312499) * ax) + 537.181101862009858) * ax)
                + 1621.38957456669019) * ax;
            bottom = (((bottom + 3290.79923573345963) * ax) + 4362.61909014324716) * ax;
            bottom = (bottom + 3439.36767414372164) * ax;
            bottom += 1230.33935480374942;
            result = Math.Exp(-ax * ax) * top / bottom;
        }
        else
        {
            var z = 1.0 / (ax * ax);
            var top = (((((0.0163153871373020978 * z) + 0.305326634961232344) * z) + 0.360344899949804439) * z)
                + 0.125781726111229246;
            top = (top * z) + 0.0160837851487422766;
            top = (top * z) + 6.58749161529837803e-4;
            var bottom = (((((z + 2.56852019228982242) * z) + 1.87295284992346725) * z) + 0.527905102951428412) * z;
            bottom = (bottom + 0.0605183413124413191) * z;
            bottom += 0.00233520497626869185;
            var r = z * top / bottom;
            result = Math.Exp(-ax * ax) / ax * (0.56418958354775628695 - r);
        }

        return x < 0 ? 2.0 - result : result;
    }
}
