namespace NasHpo.Core.Problems;

/// <summary>
/// The ZDT family (Zitzler, Deb and Thiele, 2000): f1 = x0, g = 1 + 9 * mean(x1..x{n-1}), f2 = g * h(f1, g).
/// The true front is g = 1, i.e. x1..x{n-1} = 0.
/// </summary>
internal abstract class ZdtProblem : SyntheticProblem
{
    // f1 <= 1 and f2 <= g * h <= 10 * 1 over the whole unit cube, so (1.1, 11) bounds every attainable point.
    private static readonly double[] _reference = [1.1, 11.0];

    protected ZdtProblem(string name, SyntheticProblemOptions options)
        : base(name, Validate(name, options), _reference)
    {
    }

    /// <summary>x1..x{n-1}: g = 1 (the front) when they are all 0.</summary>
    public override int DistanceVariableCount => Dimensions - 1;

    public override IReadOnlyList<double[]> TrueFront(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var front = new double[count][];
        for (var i = 0; i < count; i++)
        {
            var f1 = count == 1 ? 0.0 : (double)i / (count - 1);
            front[i] = [f1, H(f1, 1.0)];
        }

        return front;
    }

    /// <summary>h(f1, g); f2 = g * h.</summary>
    protected abstract double H(double f1, double g);

    protected override void EvaluateExact(ReadOnlySpan<double> x, Span<double> objectives)
    {
        var sum = 0.0;
        for (var i = 1; i < x.Length; i++)
        {
            sum += x[i];
        }

        var f1 = x[0];
        var g = 1.0 + (9.0 * sum / (x.Length - 1));
        objectives[0] = f1;
        objectives[1] = g * H(f1, g);
    }

    private static SyntheticProblemOptions Validate(string name, SyntheticProblemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Objectives != 2)
        {
            throw new ArgumentException($"{name} has exactly 2 objectives, not {options.Objectives}", nameof(options));
        }

        if (options.Dimensions < 2)
        {
            throw new ArgumentException($"{name} needs at least 2 dimensions, not {options.Dimensions}", nameof(options));
        }

        return options;
    }
}

/// <summary>ZDT1: convex front f2 = 1 - sqrt(f1).</summary>
internal sealed class Zdt1Problem(SyntheticProblemOptions options) : ZdtProblem("zdt1", options)
{
    public override double TrueHypervolume(ReadOnlySpan<double> reference)
    {
        ValidateReference(reference, [1.0, 1.0]);

        // The integral of 1 - sqrt(t) over [0, 1] is 1/3; beyond f1 = 1 the front's attainment surface is f2 = 0.
        return (reference[0] * reference[1]) - (1.0 / 3.0);
    }

    protected override double H(double f1, double g) => 1.0 - Math.Sqrt(f1 / g);
}

/// <summary>ZDT2: concave front f2 = 1 - f1^2.</summary>
internal sealed class Zdt2Problem(SyntheticProblemOptions options) : ZdtProblem("zdt2", options)
{
    public override double TrueHypervolume(ReadOnlySpan<double> reference)
    {
        ValidateReference(reference, [1.0, 1.0]);

        // The integral of 1 - t^2 over [0, 1] is 2/3.
        return (reference[0] * reference[1]) - (2.0 / 3.0);
    }

    protected override double H(double f1, double g)
    {
        var ratio = f1 / g;
        return 1.0 - (ratio * ratio);
    }
}

/// <summary>ZDT3: the g = 1 curve oscillates, so only five disconnected pieces of it are Pareto-optimal.</summary>
internal sealed class Zdt3Problem(SyntheticProblemOptions options) : ZdtProblem("zdt3", options)
{
    // Fine enough that the grid's error in the front's area (first order in the step) is about 1e-6.
    private const int DenseSamples = 1_000_001;

    private static readonly Lazy<(double Area, double Last, double[] Nadir)> _attainment = new(ComputeAttainment);

    /// <summary>
    /// The g = 1 curve is sampled on a grid <paramref name="count"/>·64 fine (at least 10 001 points), filtered to
    /// its non-dominated points, and <paramref name="count"/> of them are picked evenly; all five pieces are covered.
    /// </summary>
    public override IReadOnlyList<double[]> TrueFront(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var samples = Math.Max(10_001, count * 64);
        var nonDominated = new List<double[]>();
        var best = double.PositiveInfinity;
        for (var i = 0; i < samples; i++)
        {
            var f1 = (double)i / (samples - 1);
            var f2 = Curve(f1);

            // In ascending f1 a point is non-dominated exactly when its f2 beats every earlier one.
            if (f2 < best)
            {
                best = f2;
                nonDominated.Add([f1, f2]);
            }
        }

        if (count >= nonDominated.Count)
        {
            return nonDominated;
        }

        var picked = new double[count][];
        for (var k = 0; k < count; k++)
        {
            var index = count == 1 ? 0 : (int)Math.Round((double)k * (nonDominated.Count - 1) / (count - 1));
            picked[k] = nonDominated[index];
        }

        return picked;
    }

    /// <summary>Computed numerically on a fine grid: accurate to about 1e-6.</summary>
    public override double TrueHypervolume(ReadOnlySpan<double> reference)
    {
        var (area, last, nadir) = _attainment.Value;
        ValidateReference(reference, nadir);

        // Hypervolume = the box minus the area under the attainment surface, which stays at its last value past f1 = 1.
        return (reference[0] * reference[1]) - area - ((reference[0] - 1.0) * last);
    }

    protected override double H(double f1, double g)
    {
        var ratio = f1 / g;
        return 1.0 - Math.Sqrt(ratio) - (ratio * Math.Sin(10.0 * Math.PI * f1));
    }

    private static double Curve(double f1) => 1.0 - Math.Sqrt(f1) - (f1 * Math.Sin(10.0 * Math.PI * f1));

    // The attainment surface of the g = 1 curve equals that of its Pareto-optimal part: the running minimum of f2.
    private static (double Area, double Last, double[] Nadir) ComputeAttainment()
    {
        var step = 1.0 / (DenseSamples - 1);
        var running = double.PositiveInfinity;
        var area = 0.0;
        var maxF1 = 0.0;
        for (var i = 0; i < DenseSamples - 1; i++)
        {
            var f1 = i * step;
            var f2 = Curve(f1);
            if (f2 < running)
            {
                running = f2;
                maxF1 = f1;
            }

            area += running * step;
        }

        var lastF2 = Curve(1.0);
        if (lastF2 < running)
        {
            running = lastF2;
            maxF1 = 1.0;
        }

        // f2 is largest at f1 = 0 (value 1); f1 is largest at the last improving point.
        return (area, running, [maxF1, 1.0]);
    }
}
