using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class MutationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Mutate_changes_exactly_k_active_parameters_and_stays_valid(int k)
    {
        // No conditions here, so repair cannot add or drop anything and the count is exact.
        var space = SearchSpace.Create(
        [
            new FloatParameter("lr", 1e-5, 1, Log: true),
            new FloatParameter("dropout", 0, 0.9),
            new IntegerParameter("layers", 1, 3),
            new IntegerParameter("filters", 16, 1024, Log: true),
            new CategoricalParameter("kernel", ["3", "5", "7"]),
            new OrdinalParameter("depth", ["s", "m", "l"]),
            new BooleanParameter("bn"),
        ]);
        var random = new DeterministicRandom(31);
        for (var i = 0; i < 2000; i++)
        {
            var parent = space.Sample(random);
            var child = space.Mutate(parent, random, k, 0.1);
            space.Validate(child);
            var changed = space.Parameters.Count(p => !parent.Values[p.Name].Equals(child.Values[p.Name]));
            Assert.Equal(k, changed);
        }
    }

    [Fact]
    public void Mutate_counts_only_parameters_active_before_repair()
    {
        var space = TestSpaces.Mixed();
        var random = new DeterministicRandom(32);
        for (var i = 0; i < 2000; i++)
        {
            var parent = space.Sample(random);
            var child = space.Mutate(parent, random, 2, 0.2);
            space.Validate(child);
            // Repair may add or drop children, but among the parameters active before and after only the drawn ones change.
            var changedInBoth = parent.Values.Keys.Where(child.Contains).Count(n => !parent.Values[n].Equals(child.Values[n]));
            Assert.InRange(changedInBoth, 0, 2);
            Assert.NotEqual(parent, child);
        }
    }

    [Fact]
    public void Ordinal_moves_to_a_neighbour_and_categorical_to_another_choice()
    {
        var space = SearchSpace.Create([new OrdinalParameter("size", ["xs", "s", "m", "l", "xl"]), new CategoricalParameter("c", ["a", "b", "c", "d"])]);
        var sizes = new[] { "xs", "s", "m", "l", "xl" };
        var random = new DeterministicRandom(33);
        var categoricalTargets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 2000; i++)
        {
            var parent = space.Sample(random);
            var child = space.Mutate(parent, random, 2, 0.1);
            var step = Array.IndexOf(sizes, child.GetString("size")) - Array.IndexOf(sizes, parent.GetString("size"));
            Assert.Equal(1, Math.Abs(step));
            Assert.NotEqual(parent.GetString("c"), child.GetString("c"));
            if (parent.GetString("c") == "a")
            {
                categoricalTargets.Add(child.GetString("c"));
            }
        }

        Assert.Equal(["b", "c", "d"], categoricalTargets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Integer_changes_even_with_a_tiny_step()
    {
        var space = SearchSpace.Create([new IntegerParameter("n", 1, 3)]);
        var random = new DeterministicRandom(34);
        for (var i = 0; i < 500; i++)
        {
            var parent = space.Sample(random);
            var child = space.Mutate(parent, random, 1, 1e-9);
            Assert.Equal(1, Math.Abs(child.GetInt32("n") - parent.GetInt32("n")));
        }
    }

    [Fact]
    public void Float_step_is_local_in_unit_space()
    {
        var space = SearchSpace.Create([new FloatParameter("x", 0, 100)]);
        var random = new DeterministicRandom(35);
        var steps = new List<double>();
        for (var i = 0; i < 4000; i++)
        {
            var parent = space.Sample(random);
            var child = space.Mutate(parent, random, 1, 0.05);
            Assert.InRange(child.GetDouble("x"), 0, 100);
            steps.Add(Math.Abs(child.GetDouble("x") - parent.GetDouble("x")) / 100);
        }

        // |N(0, 0.05)| has mean 0.05·sqrt(2/π) ≈ 0.040; reflection at the borders only shortens steps.
        Assert.InRange(steps.Average(), 0.033, 0.042);
    }

    [Fact]
    public void Newly_active_children_are_sampled_and_inactive_ones_dropped()
    {
        var space = SearchSpace.Create(
        [
            new BooleanParameter("bn"),
            new FloatParameter("bn_momentum", 0.5, 0.999) { Conditions = [new Condition("bn", ConditionOperator.Equal, "true")] },
        ]);
        var off = new Configuration(new Dictionary<string, ParameterValue> { ["bn"] = ParameterValue.Of(false) });
        var random = new DeterministicRandom(36);
        var on = space.Mutate(off, random, 1, 0.1);
        Assert.True(on.GetBoolean("bn"));
        Assert.InRange(on.GetDouble("bn_momentum"), 0.5, 0.999);

        // Mutating bn back must drop the child; when bn_momentum is drawn instead, bn stays on.
        var sawDrop = false;
        for (var i = 0; i < 50; i++)
        {
            var next = space.Mutate(on, random, 1, 0.1);
            space.Validate(next);
            sawDrop |= !next.GetBoolean("bn") && next.Count == 1;
        }

        Assert.True(sawDrop);
    }

    [Fact]
    public void Mutate_with_more_parameters_than_active_changes_all_of_them()
    {
        var space = SearchSpace.Create([new BooleanParameter("a"), new BooleanParameter("b"), new FloatParameter("fixed", 1, 1)]);
        var random = new DeterministicRandom(37);
        var parent = space.Sample(random);
        var child = space.Mutate(parent, random, 10, 0.1);
        Assert.NotEqual(parent.GetBoolean("a"), child.GetBoolean("a"));
        Assert.NotEqual(parent.GetBoolean("b"), child.GetBoolean("b"));
        Assert.Equal(1.0, child.GetDouble("fixed"));
    }

    [Fact]
    public void Mutate_is_deterministic_and_works_with_any_Random()
    {
        var space = TestSpaces.Mixed();
        var parent = space.Sample(new DeterministicRandom(38));
        Assert.Equal(space.Mutate(parent, new DeterministicRandom(39), 3, 0.2), space.Mutate(parent, new DeterministicRandom(39), 3, 0.2));
#pragma warning disable CA5394 // test of the System.Random fallback, not security-relevant
        space.Validate(space.Mutate(parent, new Random(40), 3, 0.2));
#pragma warning restore CA5394
    }

    [Fact]
    public void Mutate_rejects_bad_arguments()
    {
        var space = TestSpaces.Cascade();
        var parent = space.Sample(new DeterministicRandom(41));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Mutate(parent, new DeterministicRandom(1), -1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Mutate(parent, new DeterministicRandom(1), 1, double.NaN));
        var invalid = new Configuration(new Dictionary<string, ParameterValue> { ["a"] = ParameterValue.Of(3.0) });
        Assert.Throws<SearchSpaceException>(() => space.Mutate(invalid, new DeterministicRandom(1), 1, 0.1));
    }
}
