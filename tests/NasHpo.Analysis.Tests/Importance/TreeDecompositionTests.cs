using CsCheck;
using NasHpo.Analysis.Importance;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Tests.Importance;

/// <summary>
/// The decomposition of single hand-made trees, whose variances are worked out by hand: exact, no forest in between.
/// Trees use ML.NET's layout: x goes left when x[feature] &lt;= threshold; a child ~k is leaf k.
/// </summary>
public sealed class TreeDecompositionTests
{
    private const int Precision = 12;

    private static readonly SearchSpace TwoFloats = SearchSpace.Create([new FloatParameter("a", 0, 1), new FloatParameter("b", 0, 1)]);

    [Fact]
    public void An_additive_tree_splits_its_variance_between_its_two_steps()
    {
        // f = 2·[a > 0.5] + [b > 0.5]: Var = 4/4 + 1/4 = 1.25, of which a explains 1 (0.8) and b 0.25 (0.2).
        var tree = new FittedTree([0, 1, 1], [0.5, 0.5, 0.5], [1, ~0, ~2], [2, ~1, ~3], [0, 1, 2, 3]);

        AssertDecomposition(Decompose(tree, TwoFloats), mean: 1.5, total: 1.25, first: 1.0, second: 0.25, interaction: 0.0);
    }

    [Fact]
    public void A_corner_step_is_mostly_interaction_of_its_two_parameters()
    {
        // f = [a > 0.5]·[b > 0.5]·4: mean 1, Var = 4 - 1 = 3; E[f | a] is 2 or 0, variance 1 per parameter; the
        // interaction holds the remaining 1.
        var tree = new FittedTree([0, 1], [0.5, 0.5], [~0, ~1], [1, ~2], [0, 0, 4]);

        AssertDecomposition(Decompose(tree, TwoFloats), mean: 1.0, total: 3.0, first: 1.0, second: 1.0, interaction: 1.0);
    }

    [Fact]
    public void Integer_cells_carry_the_mass_the_space_samples_them_with()
    {
        // Linear integers 1..3 are equally likely: f = 3 on n = 1, else 0, has mean 1 and variance 4/3 + 2/3 = 2.
        var linear = SearchSpace.Create([new IntegerParameter("n", 1, 3)]);
        var between = Midpoint(linear, "n", 1, 2);
        var tree = new FittedTree([0], [between], [~0], [~1], [3, 0]);
        var decomposition = Decompose(tree, linear);
        Assert.Equal(1.0, decomposition.Mean, Precision);
        Assert.Equal(2.0, decomposition.TotalVariance, Precision);

        // On a log scale 1..100, the values up to 10 carry the log-space mass of [0.5, 10.5] out of [0.5, 100.5].
        var logarithmic = SearchSpace.Create([new IntegerParameter("n", 1, 100, Log: true)]);
        var upToTen = new FittedTree([0], [Midpoint(logarithmic, "n", 10, 11)], [~0], [~1], [1, 0]);
        var expected = (Math.Log(10.5) - Math.Log(0.5)) / (Math.Log(100.5) - Math.Log(0.5));
        Assert.Equal(expected, Decompose(upToTen, logarithmic).Mean, Precision);
    }

    [Fact]
    public void A_conditional_parameter_decomposes_alike_whether_the_tree_cut_on_the_parent_or_on_the_imputed_child()
    {
        // rate is active only when optimizer = sgd; f = 0 when it is inactive, else 1 or 3 as rate is below or above
        // 0.5. Mean 1, Var = 0.5·(1 + 9)/2 - 1 = 1.5; optimizer's marginal (2 or 0) has variance 1, rate's (0.5 or 1.5)
        // 0.25, and the interaction 0.25.
        var space = SearchSpace.Create(
        [
            new CategoricalParameter("optimizer", ["adam", "sgd"]),
            new FloatParameter("rate", 0, 1) { Conditions = [new Condition("optimizer", ConditionOperator.Equal, "sgd")] },
        ]);
        // The parent comes first in the space's order: optimizer is parameter 0, rate parameter 1.
        Assert.Equal(["optimizer", "rate"], space.Parameters.Select(p => p.Name));
        // Cut on the imputed child: inactive (-1) goes left, to 0.
        var byChild = new FittedTree([1, 1], [-0.5, 0.5], [~0, ~1], [1, ~2], [0, 1, 3]);
        // Cut on the parent: adam (cell centre 0.25) goes left, to 0.
        var byParent = new FittedTree([0, 1], [0.5, 0.5], [~0, ~1], [1, ~2], [0, 1, 3]);

        foreach (var tree in new[] { byChild, byParent })
        {
            AssertDecomposition(Decompose(tree, space), mean: 1.0, total: 1.5, first: 1.0, second: 0.25, interaction: 0.25);
        }
    }

    [Fact]
    public void A_child_under_a_numeric_condition_is_active_on_the_parents_side_of_the_threshold()
    {
        // depth is active when width >= 0.75 (a quarter of width's range); f = depth there, 0 elsewhere (a cut on
        // the imputed -1). Mean = 0.25·0.5; the tree must be cut along width at 0.75, not read as active everywhere.
        var space = SearchSpace.Create(
        [
            new FloatParameter("width", 0, 1),
            new FloatParameter("depth", 0, 1) { Conditions = [new Condition("width", ConditionOperator.GreaterOrEqual, "0.75")] },
        ]);
        var depth = space.IndexOf("depth");
        var tree = new FittedTree([depth, depth], [-0.5, 0.5], [~0, ~1], [1, ~2], [0, 0.25, 0.75]);
        var decomposition = Decompose(tree, space);

        Assert.Equal(0.25 * 0.5, decomposition.Mean, Precision);
        // E[f | width] is 0 below 0.75 and 0.5 above: variance 0.25·0.75·0.5².
        Assert.Equal(0.25 * 0.75 * 0.25, decomposition.MainEffect(space.IndexOf("width")), Precision);
    }

    [Fact]
    public void In_two_dimensions_both_main_effects_and_the_interaction_add_up_to_the_whole_variance() =>
        Gen.Int.Sample(
            seed =>
            {
                // Any tree on any two parameters: V = V_first + V_second + V_pair, whatever the kinds and conditions.
                var random = new Random(seed);
                var space = TwoParameterSpaces[random.Next(TwoParameterSpaces.Length)];
                var decomposition = Decompose(RandomTree(random, depth: 4), space);
                var parts = decomposition.MainEffect(0) + decomposition.MainEffect(1) + decomposition.Interaction(0, 1);
                Assert.Equal(decomposition.TotalVariance, parts, 9);
            },
            iter: 300);

    private static readonly SearchSpace[] TwoParameterSpaces =
    [
        TwoFloats,
        SearchSpace.Create([new IntegerParameter("a", 1, 5), new CategoricalParameter("b", ["x", "y", "z"])]),
        SearchSpace.Create([new IntegerParameter("a", 1, 64, Log: true), new FloatParameter("b", 1e-4, 1, Log: true)]),
        SearchSpace.Create(
        [
            new OrdinalParameter("a", ["s", "m", "l"]),
            new FloatParameter("b", 0, 1) { Conditions = [new Condition("a", ConditionOperator.In, ["m", "l"])] },
        ]),
    ];

    // Thresholds may fall below 0 (the imputed -1 against active values) or anywhere in the unit interval.
    private static FittedTree RandomTree(Random random, int depth)
    {
        var features = new List<int>();
        var thresholds = new List<double>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        int Grow(int level)
        {
            if (level == depth || random.NextDouble() < 0.2)
            {
                leaves.Add(random.Next(-3, 4));
                return ~(leaves.Count - 1);
            }

            var node = features.Count;
            features.Add(random.Next(2));
            thresholds.Add(random.NextDouble() < 0.15 ? -0.5 : random.NextDouble());
            left.Add(0);
            right.Add(0);
            left[node] = Grow(level + 1);
            right[node] = Grow(level + 1);
            return node;
        }

        var root = Grow(0);
        return root < 0
            ? new FittedTree([], [], [], [], [.. leaves])
            : new FittedTree([.. features], [.. thresholds], [.. left], [.. right], [.. leaves]);
    }

    private static void AssertDecomposition(TreeDecomposition decomposition, double mean, double total, double first, double second, double interaction)
    {
        Assert.Equal(mean, decomposition.Mean, Precision);
        Assert.Equal(total, decomposition.TotalVariance, Precision);
        Assert.Equal(first, decomposition.MainEffect(0), Precision);
        Assert.Equal(second, decomposition.MainEffect(1), Precision);
        Assert.Equal(interaction, decomposition.Interaction(0, 1), Precision);
    }

    private static TreeDecomposition Decompose(FittedTree tree, SearchSpace space)
    {
        var encoding = SpaceEncoding.For(space);
        return new TreeDecomposition(TreePartition.Boxes(tree, encoding), encoding);
    }

    // Halfway between the features of two neighbouring values: the threshold a forest would choose between them.
    private static double Midpoint(SearchSpace space, string name, long below, long above)
    {
        var encoding = SpaceEncoding.For(space);
        double FeatureOf(long value) => encoding.Features(new Core.SearchSpaces.Configuration([new(name, ParameterValue.Of((double)value))]))[0];
        return 0.5 * (FeatureOf(below) + FeatureOf(above));
    }
}
