namespace NasHpo.Analysis.Importance;

/// <summary>
/// The functional ANOVA of one tree, computed exactly on its boxes (Hutter, Hoos and Leyton-Brown 2014, Algorithm 1
/// and 2): the tree is constant on each box, so every marginal is a sum over boxes. Written here by hand: no .NET
/// library decomposes a forest's variance.
/// </summary>
/// <remarks>
/// The marginal of parameter i at a value x is the mean of the tree over all other parameters with i fixed at x; it
/// is constant between the box boundaries along i, so its variance is a finite sum over those segments. The same on
/// the grid of two parameters gives the pairwise marginal, whose variance, less both main effects, is the pair's
/// interaction.
/// </remarks>
internal sealed class TreeDecomposition
{
    private readonly IReadOnlyList<LeafBox> _boxes;
    private readonly SpaceEncoding _encoding;
    private readonly Dictionary<int, double> _mainEffects = [];

    public TreeDecomposition(IReadOnlyList<LeafBox> boxes, SpaceEncoding encoding)
    {
        _boxes = boxes;
        _encoding = encoding;
        var mass = boxes.Sum(b => b.Volume);
        Mean = boxes.Sum(b => b.Value * b.Volume) / mass;
        // A tree whose leaves all hold one value explains nothing; testing that exactly avoids reading rounding as variance.
        TotalVariance = boxes.All(b => b.Value == boxes[0].Value)
            ? 0.0
            : boxes.Sum(b => b.Volume * (b.Value - Mean) * (b.Value - Mean)) / mass;
    }

    public double Mean { get; }

    /// <summary>The tree's variance over the whole space: the V in every importance fraction V_U / V.</summary>
    public double TotalVariance { get; }

    /// <summary>The variance of parameter i's marginal: its main effect.</summary>
    public double MainEffect(int parameter)
    {
        if (_mainEffects.TryGetValue(parameter, out var cached))
        {
            return cached;
        }

        var axis = new Segments(_boxes, _encoding.Axes[parameter], parameter);
        // The marginal on each segment, accumulated as a difference array over the run of segments each box covers.
        var marginal = new double[axis.Count + 1];
        foreach (var box in _boxes)
        {
            var (from, to) = axis.Covered(box);
            var density = box.Value * box.Volume / axis.MassOf(box);
            marginal[from] += density;
            marginal[to + 1] -= density;
        }

        var variance = 0.0;
        var running = 0.0;
        for (var s = 0; s < axis.Count; s++)
        {
            running += marginal[s];
            variance += axis.Mass[s] * (running - Mean) * (running - Mean);
        }

        _mainEffects[parameter] = variance;
        return variance;
    }

    /// <summary>The variance of the pair's joint marginal less both main effects (clipped at 0 against rounding): their interaction.</summary>
    public double Interaction(int first, int second)
    {
        var rows = new Segments(_boxes, _encoding.Axes[first], first);
        var columns = new Segments(_boxes, _encoding.Axes[second], second);
        var marginal = new double[rows.Count + 1, columns.Count + 1];
        foreach (var box in _boxes)
        {
            var (top, bottom) = rows.Covered(box);
            var (left, right) = columns.Covered(box);
            var density = box.Value * box.Volume / (rows.MassOf(box) * columns.MassOf(box));
            marginal[top, left] += density;
            marginal[top, right + 1] -= density;
            marginal[bottom + 1, left] -= density;
            marginal[bottom + 1, right + 1] += density;
        }

        // Two-dimensional prefix sums turn the difference array into the marginal on each cell of the grid.
        var variance = 0.0;
        var above = new double[columns.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var running = 0.0;
            for (var c = 0; c < columns.Count; c++)
            {
                running += marginal[r, c];
                above[c] += running;
                var value = above[c];
                variance += rows.Mass[r] * columns.Mass[c] * (value - Mean) * (value - Mean);
            }
        }

        return Math.Max(0.0, variance - MainEffect(first) - MainEffect(second));
    }

    /// <summary>The segments the boxes' boundaries cut one parameter's axis into, with their masses.</summary>
    private sealed class Segments
    {
        private readonly double[] _cuts;
        private readonly ParameterAxis _axis;
        private readonly int _parameter;

        public Segments(IReadOnlyList<LeafBox> boxes, ParameterAxis axis, int parameter)
        {
            _axis = axis;
            _parameter = parameter;
            _cuts = [.. boxes.SelectMany(b => new[] { b.Lower[parameter], b.Upper[parameter] })
                .Where(double.IsFinite).Distinct().Order()];
            // Segment s is (cut[s - 1], cut[s]], unbounded at both ends.
            Mass = new double[_cuts.Length + 1];
            for (var s = 0; s < Mass.Length; s++)
            {
                Mass[s] = axis.Mass(s == 0 ? double.NegativeInfinity : _cuts[s - 1], s == _cuts.Length ? double.PositiveInfinity : _cuts[s]);
            }
        }

        public int Count => Mass.Length;

        public double[] Mass { get; }

        public (int From, int To) Covered(LeafBox box)
        {
            var lower = box.Lower[_parameter];
            var upper = box.Upper[_parameter];
            var from = double.IsNegativeInfinity(lower) ? 0 : Array.BinarySearch(_cuts, lower) + 1;
            var to = double.IsPositiveInfinity(upper) ? _cuts.Length : Array.BinarySearch(_cuts, upper);
            return (from, to);
        }

        public double MassOf(LeafBox box) => _axis.Mass(box.Lower[_parameter], box.Upper[_parameter]);
    }
}
