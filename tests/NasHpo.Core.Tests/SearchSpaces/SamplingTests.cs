using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class SamplingTests
{
    [Fact]
    public void Samples_are_valid_and_deterministic_for_a_seed()
    {
        var space = TestSpaces.Mixed();
        var first = new DeterministicRandom(5);
        var second = new DeterministicRandom(5);
        for (var i = 0; i < 1000; i++)
        {
            var configuration = space.Sample(first);
            space.Validate(configuration);
            Assert.Equal(configuration, space.Sample(second));
        }
    }

    [Fact]
    public void Log_uniform_float_has_the_geometric_median()
    {
        var space = SearchSpace.Create([new FloatParameter("lr", 1e-5, 1.0, Log: true)]);
        var random = new DeterministicRandom(7);
        var values = Enumerable.Range(0, 20001).Select(_ => space.Sample(random).GetDouble("lr")).Order().ToList();
        var median = values[values.Count / 2];
        // Median of log-uniform on [1e-5, 1] is 10^-2.5; its sampling error in log10 is about 0.04 here.
        Assert.InRange(Math.Log10(median), -2.6, -2.4);
        Assert.All(values, v => Assert.InRange(v, 1e-5, 1.0));
        // A linear scale would put about 1e-5 of the mass below 1e-5 + 1e-5; log puts 1/5 of it below 1e-4.
        Assert.InRange(values.Count(v => v < 1e-4) / (double)values.Count, 0.18, 0.22);
    }

    [Fact]
    public void Linear_integer_is_uniform_over_its_values()
    {
        var space = SearchSpace.Create([new IntegerParameter("n", -2, 2)]);
        var random = new DeterministicRandom(8);
        const int N = 25000;
        var counts = Enumerable.Range(0, N).Select(_ => space.Sample(random).GetInt32("n")).CountBy(v => v).ToDictionary();
        Assert.Equal([-2, -1, 0, 1, 2], counts.Keys.Order());
        AssertChiSquare(counts.Values.Select(c => (double)c).ToArray(), Enumerable.Repeat(N / 5.0, 5).ToArray());
    }

    [Fact]
    public void Log_integer_gives_each_value_the_log_mass_of_its_half_unit_cell()
    {
        var space = SearchSpace.Create([new IntegerParameter("batch", 1, 8, Log: true)]);
        var random = new DeterministicRandom(9);
        const int N = 40000;
        var counts = Enumerable.Range(0, N).Select(_ => space.Sample(random).GetInt32("batch")).CountBy(v => v).ToDictionary();
        var total = Math.Log(8.5 / 0.5);
        var expected = Enumerable.Range(1, 8).Select(v => N * Math.Log((v + 0.5) / (v - 0.5)) / total).ToArray();
        var observed = Enumerable.Range(1, 8).Select(v => (double)counts.GetValueOrDefault(v)).ToArray();
        AssertChiSquare(observed, expected);
    }

    [Fact]
    public void Choices_are_uniform()
    {
        var space = SearchSpace.Create([new CategoricalParameter("c", ["a", "b", "c"]), new BooleanParameter("flag")]);
        var random = new DeterministicRandom(10);
        const int N = 30000;
        var samples = Enumerable.Range(0, N).Select(_ => space.Sample(random)).ToList();
        var choices = samples.CountBy(s => s.GetString("c")).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (double)kv.Value).ToArray();
        AssertChiSquare(choices, [N / 3.0, N / 3.0, N / 3.0]);
        var trues = samples.Count(s => s.GetBoolean("flag"));
        AssertChiSquare([trues, N - trues], [N / 2.0, N / 2.0]);
    }

    [Fact]
    public void Inactive_parameters_are_absent_and_active_ones_present()
    {
        var space = TestSpaces.Mixed();
        var random = new DeterministicRandom(13);
        var sawFilters3 = false;
        var sawNoFilters2 = false;
        for (var i = 0; i < 2000; i++)
        {
            var configuration = space.Sample(random);
            var layers = configuration.GetInt32("conv_layers");
            Assert.Equal(layers >= 2, configuration.Contains("filters_2"));
            Assert.Equal(layers >= 3, configuration.Contains("filters_3"));
            Assert.Equal(configuration.GetBoolean("batch_norm"), configuration.Contains("bn_momentum"));
            Assert.Equal(configuration.GetString("optimizer") != "adam", configuration.Contains("momentum"));
            Assert.Equal(configuration.GetString("optimizer") == "sgd", configuration.Contains("nesterov"));
            Assert.Equal(configuration.GetString("depth") != "small", configuration.Contains("extra_blocks"));
            foreach (var parameter in space.Parameters)
            {
                Assert.Equal(configuration.Contains(parameter.Name), space.IsActive(parameter, configuration));
            }

            sawFilters3 |= configuration.Contains("filters_3");
            sawNoFilters2 |= !configuration.Contains("filters_2");
        }

        Assert.True(sawFilters3 && sawNoFilters2);
    }

    [Fact]
    public void Cascading_conditions_three_levels_deep()
    {
        var space = TestSpaces.Cascade();
        var random = new DeterministicRandom(14);
        const int N = 20000;
        var withD = 0;
        for (var i = 0; i < N; i++)
        {
            var configuration = space.Sample(random);
            var b = configuration.Contains("b");
            var c = configuration.Contains("c");
            var d = configuration.Contains("d");
            Assert.Equal(configuration.GetDouble("a") < 0.5, b);
            Assert.Equal(b && configuration.GetString("b") == "on", c);
            Assert.Equal(c && configuration.GetBoolean("c"), d);
            withD += d ? 1 : 0;
        }

        // P(a < 0.5) · P(on) · P(true) = 1/8.
        Assert.InRange(withD / (double)N, 0.115, 0.135);
    }

    [Fact]
    public void IsActive_requires_the_parent_to_be_active_too()
    {
        var space = TestSpaces.Cascade();
        // c's own condition holds ("b" is "on") but b is inactive because a >= 0.5: c must be inactive.
        var configuration = new Configuration(new Dictionary<string, ParameterValue>
        {
            ["a"] = ParameterValue.Of(0.7),
            ["b"] = ParameterValue.Of("on"),
        });
        Assert.False(space.IsActive(space["b"], configuration));
        Assert.False(space.IsActive(space["c"], configuration));
        Assert.True(space.IsActive(space["a"], configuration));
    }

    [Fact]
    public void Ordinal_conditions_compare_choice_positions()
    {
        var space = SearchSpace.Create(
        [
            new OrdinalParameter("size", ["s", "m", "l"]),
            new BooleanParameter("big") { Conditions = [new Condition("size", ConditionOperator.GreaterOrEqual, "m")] },
            new BooleanParameter("not_large") { Conditions = [new Condition("size", ConditionOperator.NotEqual, "l")] },
        ]);
        foreach (var (size, big, notLarge) in new[] { ("s", false, true), ("m", true, true), ("l", true, false) })
        {
            var configuration = new Configuration(new Dictionary<string, ParameterValue> { ["size"] = ParameterValue.Of(size) });
            Assert.Equal(big, space.IsActive(space["big"], configuration));
            Assert.Equal(notLarge, space.IsActive(space["not_large"], configuration));
        }
    }

    private static void AssertChiSquare(double[] observed, double[] expected)
    {
        var chi = observed.Zip(expected, (o, e) => (o - e) * (o - e) / e).Sum();
        var degrees = observed.Length - 1;
        // Far in the tail (mean k, sd sqrt(2k)): fails only on a real bias, never on noise with these fixed seeds.
        Assert.True(chi < degrees + (6 * Math.Sqrt(2.0 * degrees)), $"chi-square {chi:F1} with {degrees} degrees of freedom");
    }
}
