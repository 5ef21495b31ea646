using System.Globalization;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Importance;

/// <summary>
/// How fANOVA sees a search space: each configuration as one number per parameter (the forest's features), and, for
/// every parameter, the measure its active values carry and the values of its parents under which it is active.
/// </summary>
/// <remarks>
/// Features are the space's own unit-cube encoding (<see cref="SearchSpace.Encode"/>: log scales already linear,
/// integers and choices at the centre of their cell), rounded to float as ML.NET holds them. A categorical parameter
/// is its choice's cell, i.e. an index: the forest splits it as an ordered number, as ML.NET's numeric splits allow.
/// <para>
/// An inactive parameter is imputed with <see cref="InactiveFeature"/> (-1), outside [0, 1], the way SMAC's random
/// forest imputes inactive values scaled to [0, 1]: the forest can then split "inactive" from every active value with
/// one threshold, and no active value is confused with "inactive" (imputing a default inside the range would be).
/// </para>
/// <para>
/// The fANOVA measure is the space's own sampling distribution: uniform on the unit cube, each coordinate read only
/// where its parameter is active (<see cref="SearchSpace.Sample"/> draws one uniform per parameter and decodes, ignoring
/// those of inactive parameters). So the decomposition integrates the tree as a function of the cube, the imputed -1
/// standing wherever the conditions switch a parameter off; the imputed value itself carries no mass. A tree that
/// separated the inactive configurations by the parent and one that did so by the imputed child then describe the same
/// function, and get the same decomposition.
/// </para>
/// </remarks>
internal sealed class SpaceEncoding
{
    /// <summary>The feature of an inactive parameter.</summary>
    public const float InactiveFeature = -1f;

    // Integer ranges up to this many values are measured cell by cell; wider ones as a continuum over the cube,
    // which errs by at most one cell (under 1/4096 of the mass) at each split.
    private const int MaxEnumeratedCells = 4096;

    private readonly SearchSpace _space;

    private SpaceEncoding(SearchSpace space, ParameterAxis[] axes, ActivityRule[][] rules)
    {
        _space = space;
        Axes = axes;
        Rules = rules;
    }

    /// <summary>Per parameter, in the space's order: the mass its active feature values carry.</summary>
    public IReadOnlyList<ParameterAxis> Axes { get; }

    /// <summary>Per parameter: one rule per condition; the parameter is active where all hold and every parent is active.</summary>
    public IReadOnlyList<ActivityRule[]> Rules { get; }

    public int Dimension => Axes.Count;

    public static SpaceEncoding For(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var parameters = space.Parameters;
        var axes = new ParameterAxis[parameters.Count];
        for (var i = 0; i < axes.Length; i++)
        {
            axes[i] = AxisOf(parameters[i]);
        }

        var rules = new ActivityRule[parameters.Count][];
        for (var i = 0; i < rules.Length; i++)
        {
            var child = parameters[i];
            rules[i] = [.. child.Conditions.Select(condition =>
            {
                var parentIndex = space.IndexOf(condition.Parent);
                return RuleOf(child, condition, parentIndex, parameters[parentIndex], axes[parentIndex]);
            })];
        }

        return new SpaceEncoding(space, axes, rules);
    }

    /// <summary>The forest's features of one configuration; throws SearchSpaceException when it does not fit the space.</summary>
    public float[] Features(Core.SearchSpaces.Configuration configuration)
    {
        var encoded = _space.Encode(configuration);
        var features = new float[encoded.Length];
        for (var i = 0; i < encoded.Length; i++)
        {
            features[i] = double.IsNaN(encoded[i]) ? InactiveFeature : (float)encoded[i];
        }

        return features;
    }

    private static ParameterAxis AxisOf(Parameter parameter)
    {
        var values = EnumeratedValues(parameter);
        if (values is null)
        {
            return ParameterAxis.Continuous;
        }

        var alone = Alone(parameter);
        var centres = values.Select(v => FeatureOf(alone, parameter.Name, v)).ToArray();
        var masses = parameter is IntegerParameter { Log: true } integer
            ? LogIntegerMasses(integer)
            : [.. values.Select(_ => 1.0 / values.Count)];
        return ParameterAxis.Discrete(centres, masses);
    }

    /// <summary>Every value of a parameter with few enough; null for floats and wide integer ranges.</summary>
    private static IReadOnlyList<ParameterValue>? EnumeratedValues(Parameter parameter) => parameter switch
    {
        FloatParameter => null,
        IntegerParameter p when (double)p.Upper - p.Lower + 1 > MaxEnumeratedCells => null,
        IntegerParameter p => [.. Enumerable.Range(0, (int)(p.Upper - p.Lower + 1)).Select(k => ParameterValue.Of((double)(p.Lower + k)))],
        CategoricalParameter p => [.. p.Choices.Select(ParameterValue.Of)],
        OrdinalParameter p => [.. p.Choices.Select(ParameterValue.Of)],
        _ => [ParameterValue.Of(false), ParameterValue.Of(true)],
    };

    // The space samples a log-scale integer v with the log-space mass of [v - 0.5, v + 0.5] (see IntegerParameter).
    private static double[] LogIntegerMasses(IntegerParameter p)
    {
        var low = Math.Log(p.Lower - 0.5);
        var width = Math.Log(p.Upper + 0.5) - low;
        var masses = new double[p.Upper - p.Lower + 1];
        for (var k = 0; k < masses.Length; k++)
        {
            var v = (double)(p.Lower + k);
            masses[k] = (Math.Log(v + 0.5) - Math.Log(v - 0.5)) / width;
        }

        return masses;
    }

    // A space of the parameter alone, unconditional: its encoding and decoding are the full space's for that
    // coordinate, without having to make up values for the other parameters.
    private static SearchSpace Alone(Parameter parameter) => SearchSpace.Create([parameter with { Conditions = [] }]);

    private static double FeatureOf(SearchSpace alone, string name, ParameterValue value) =>
        (float)alone.Encode(new Core.SearchSpaces.Configuration([new KeyValuePair<string, ParameterValue>(name, value)]))[0];

    /// <summary>Where along the parent's feature axis one condition of the child holds.</summary>
    private static ActivityRule RuleOf(Parameter child, Condition condition, int parentIndex, Parameter parent, ParameterAxis parentAxis)
    {
        // The condition is judged by the space itself: a space of the parent and a probe that has only this
        // condition, so that its semantics (texts, numbers, choice positions) are never written a second time here.
        var probe = child with { Conditions = [condition] };
        var judge = SearchSpace.Create([parent with { Conditions = [] }, probe]);
        bool Holds(ParameterValue value) =>
            judge.IsActive(probe, new Core.SearchSpaces.Configuration([new KeyValuePair<string, ParameterValue>(parent.Name, value)]));

        var breakpoints = new List<double>();
        var holds = new List<bool>();
        if (EnumeratedValues(parent) is { } values)
        {
            // One segment per cell, split halfway between neighbouring centres where the verdict changes.
            var centres = parentAxis.Centres;
            holds.Add(Holds(values[0]));
            for (var k = 1; k < values.Count; k++)
            {
                var verdict = Holds(values[k]);
                if (verdict != holds[^1])
                {
                    breakpoints.Add(0.5 * (centres[k - 1] + centres[k]));
                    holds.Add(verdict);
                }
            }

            return new ActivityRule(parentIndex, [.. breakpoints], [.. holds]);
        }

        // A continuum (a float, or a wide integer range): the verdict can change only at the condition's own numbers.
        var alone = Alone(parent);
        foreach (var text in condition.Values)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var target)
                && NumericInRange(parent, target) is { } inRange)
            {
                breakpoints.Add(FeatureOf(alone, parent.Name, ParameterValue.Of(inRange)));
            }
        }

        var cuts = breakpoints.Where(b => b is > 0 and < 1).Distinct().Order().ToArray();
        var bounds = cuts.Prepend(0.0).Append(1.0).ToArray();
        var verdicts = new bool[cuts.Length + 1];
        for (var s = 0; s < verdicts.Length; s++)
        {
            var middle = 0.5 * (bounds[s] + bounds[s + 1]);
            var decoded = alone.Decode([middle]);
            verdicts[s] = Holds(decoded.Values[parent.Name]);
        }

        return new ActivityRule(parentIndex, cuts, verdicts);
    }

    private static double? NumericInRange(Parameter parameter, double target) => parameter switch
    {
        FloatParameter p when target >= p.Lower && target <= p.Upper => target,
        IntegerParameter p when target >= p.Lower && target <= p.Upper => Math.Round(target),
        _ => null,
    };
}

/// <summary>
/// The measure of one parameter's active feature values: uniform on [0, 1] for a continuum, or point masses at the
/// centres of the cells of an integer or a choice (each the probability the space samples it with).
/// </summary>
internal sealed class ParameterAxis
{
    private readonly double[] _cumulative;

    private ParameterAxis(double[] centres, double[] cumulative)
    {
        Centres = centres;
        _cumulative = cumulative;
    }

    public static ParameterAxis Continuous { get; } = new([], []);

    /// <summary>Cell centres in ascending order; empty for a continuum.</summary>
    public IReadOnlyList<double> Centres { get; }

    public bool IsContinuous => Centres.Count == 0;

    public static ParameterAxis Discrete(double[] centres, double[] masses)
    {
        var cumulative = new double[masses.Length];
        var sum = 0.0;
        for (var k = 0; k < masses.Length; k++)
        {
            sum += masses[k];
            cumulative[k] = sum;
        }

        // The masses add up to 1 up to rounding; the last cell closes the axis exactly.
        cumulative[^1] = 1.0;
        return new ParameterAxis(centres, cumulative);
    }

    /// <summary>The mass of feature values in (lower, upper]: what a split x &lt;= t sends each way.</summary>
    public double Mass(double lower, double upper) => upper <= lower ? 0.0 : AtMost(upper) - AtMost(lower);

    private double AtMost(double value)
    {
        if (IsContinuous)
        {
            return Math.Clamp(value, 0.0, 1.0);
        }

        // The number of centres <= value, found by binary search over the ascending centres.
        int low = 0, high = Centres.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Centres[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low == 0 ? 0.0 : _cumulative[low - 1];
    }
}

/// <summary>
/// Where one condition holds along its parent's feature axis: segment s is (Breakpoints[s - 1], Breakpoints[s]] (open
/// at both ends for the first and last), and the condition holds on it when Holds[s] is true.
/// </summary>
internal sealed record ActivityRule(int ParentIndex, double[] Breakpoints, bool[] Holds);
