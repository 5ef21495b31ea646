using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class EncodingTests
{
    [Fact]
    public void Decode_of_encode_is_exact_on_thousands_of_samples()
    {
        var space = TestSpaces.Mixed();
        var random = new DeterministicRandom(11);
        for (var i = 0; i < 5000; i++)
        {
            var configuration = space.Sample(random);
            var encoded = space.Encode(configuration);
            Assert.Equal(space.Dimension, encoded.Length);
            Assert.All(encoded, u => Assert.True(double.IsNaN(u) || u is >= 0 and <= 1));
            var decoded = space.Decode(encoded);
            Assert.Equal(configuration, decoded);
            Assert.Equal(configuration.ToCanonicalString(), decoded.ToCanonicalString());
        }
    }

    [Fact]
    public void Inactive_parameters_encode_as_NaN_and_active_ones_do_not()
    {
        var space = TestSpaces.Mixed();
        var random = new DeterministicRandom(12);
        for (var i = 0; i < 500; i++)
        {
            var configuration = space.Sample(random);
            var encoded = space.Encode(configuration);
            for (var d = 0; d < space.Dimension; d++)
            {
                Assert.Equal(!configuration.Contains(space.Parameters[d].Name), double.IsNaN(encoded[d]));
            }
        }
    }

    [Fact]
    public void Integers_and_choices_encode_to_the_centre_of_their_cell()
    {
        var space = SearchSpace.Create(
        [
            new IntegerParameter("n", 1, 4),
            new OrdinalParameter("size", ["s", "m", "l", "xl"]),
            new BooleanParameter("flag"),
            new IntegerParameter("width", 1, 100, Log: true),
        ]);
        var configuration = new Configuration(new Dictionary<string, ParameterValue>
        {
            ["n"] = ParameterValue.Of(3),
            ["size"] = ParameterValue.Of("s"),
            ["flag"] = ParameterValue.Of(true),
            ["width"] = ParameterValue.Of(1),
        });
        var encoded = space.Encode(configuration);
        Assert.Equal(2.5 / 4, encoded[space.IndexOf("n")], 12);
        Assert.Equal(0.5 / 4, encoded[space.IndexOf("size")], 12);
        Assert.Equal(0.75, encoded[space.IndexOf("flag")], 12);
        var expectedWidth = (0.5 * (Math.Log(0.5) + Math.Log(1.5)) - Math.Log(0.5)) / (Math.Log(100.5) - Math.Log(0.5));
        Assert.Equal(expectedWidth, encoded[space.IndexOf("width")], 12);
    }

    [Fact]
    public void Decode_clamps_out_of_range_entries_and_uses_the_midpoint_for_NaN()
    {
        var space = SearchSpace.Create([new FloatParameter("x", 2, 4), new IntegerParameter("n", 0, 9), new CategoricalParameter("c", ["a", "b", "c"])]);
        var low = space.Decode([-3.0, -1.0, -0.1]);
        Assert.Equal(2.0, low.GetDouble("x"));
        Assert.Equal(0, low.GetInt32("n"));
        Assert.Equal("a", low.GetString("c"));
        var high = space.Decode([7.0, 1.5, 1.0]);
        Assert.Equal(4.0, high.GetDouble("x"));
        Assert.Equal(9, high.GetInt32("n"));
        Assert.Equal("c", high.GetString("c"));
        var middle = space.Decode([double.NaN, double.NaN, double.NaN]);
        Assert.Equal(3.0, middle.GetDouble("x"));
        Assert.Equal(5, middle.GetInt32("n"));
        Assert.Equal("b", middle.GetString("c"));
    }

    [Fact]
    public void Decode_ignores_entries_of_inactive_parameters()
    {
        var space = TestSpaces.Cascade();
        var configuration = space.Decode([0.9, double.NaN, 123.0, double.NegativeInfinity]);
        Assert.Equal("a=0.9", configuration.ToCanonicalString());
    }

    [Fact]
    public void Decode_rejects_a_vector_of_the_wrong_length()
    {
        var space = TestSpaces.Cascade();
        Assert.Throws<ArgumentException>(() => space.Decode([0.5, 0.5]));
    }

    [Fact]
    public void Decoding_uniform_vectors_matches_sampling_frequencies()
    {
        var space = TestSpaces.Mixed();
        const int N = 20000;
        var sampling = new DeterministicRandom(21);
        var sampled = Histogram(space, () => space.Sample(sampling), N);
        var uniform = new DeterministicRandom(22);
        var decoded = Histogram(space, () => space.Decode(Enumerable.Range(0, space.Dimension).Select(_ => uniform.NextDouble()).ToArray()), N);

        foreach (var (key, count) in sampled)
        {
            var other = decoded.GetValueOrDefault(key);
            // Two samples of the same multinomial: the difference of counts has variance about count + other.
            Assert.True(Math.Abs(count - other) <= 5 * Math.Sqrt(count + other + 1), $"{key}: sampled {count}, decoded {other}");
        }
    }

    // Counts of (parameter, bucket) pairs: choices and integers by value, floats by decile in unit space.
    private static Dictionary<string, int> Histogram(SearchSpace space, Func<Configuration> draw, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var configuration = draw();
            var encoded = space.Encode(configuration);
            for (var d = 0; d < space.Dimension; d++)
            {
                var parameter = space.Parameters[d];
                var key = !configuration.Contains(parameter.Name)
                    ? $"{parameter.Name}:inactive"
                    : parameter is FloatParameter
                        ? $"{parameter.Name}:decile{Math.Min(9, (int)(encoded[d] * 10))}"
                        : $"{parameter.Name}:{configuration.GetString(parameter.Name)}";
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }
}
