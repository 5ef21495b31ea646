using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration.Tests;

public sealed class PaperSpacesTests
{
    private static SearchSpace Load(string file) =>
        SearchSpaceReader.Read(HoconText.ParseFile(Path.Combine(AppContext.BaseDirectory, "spaces", file)), "search-space");

    [Fact]
    public void Table2_space_has_the_papers_dimensions_ranges_and_conditions()
    {
        var space = Load("joint-nas-hpo-table2.conf");
        Assert.Equal(17, space.Dimension);
        Assert.Equal((1L, 3L, false), Range(space, "conv_layers"));
        Assert.Equal((1L, 3L, false), Range(space, "fc_layers"));
        foreach (var i in new[] { 1, 2, 3 })
        {
            Assert.Equal((16L, 1024L, true), Range(space, $"filters_{i}"));
            Assert.Equal((2L, 512L, true), Range(space, $"units_{i}"));
            Assert.Equal(["3", "5", "7"], Assert.IsType<CategoricalParameter>(space[$"kernel_{i}"]).Choices);
            Assert.IsType<BooleanParameter>(space[$"batch_norm_{i}"]);
        }

        Assert.Equal((1L, 512L, true), Range(space, "batch_size"));
        var lr = Assert.IsType<FloatParameter>(space["learning_rate"]);
        Assert.Equal((1e-5, 1.0, true), (lr.Lower, lr.Upper, lr.Log));
        Assert.IsType<BooleanParameter>(space["global_avg_pooling"]);

        var random = new DeterministicRandom(2021);
        var activeCounts = new HashSet<int>();
        for (var n = 0; n < 3000; n++)
        {
            var configuration = space.Sample(random);
            var conv = configuration.GetInt32("conv_layers");
            var fc = configuration.GetInt32("fc_layers");
            foreach (var i in new[] { 1, 2, 3 })
            {
                Assert.Equal(i <= conv, configuration.Contains($"filters_{i}"));
                Assert.Equal(i <= conv, configuration.Contains($"kernel_{i}"));
                Assert.Equal(i <= conv, configuration.Contains($"batch_norm_{i}"));
                Assert.Equal(i <= fc, configuration.Contains($"units_{i}"));
            }

            Assert.Equal(5 + (3 * conv) + fc, configuration.Count);
            Assert.Equal(configuration, space.Decode(space.Encode(configuration)));
            activeCounts.Add(configuration.Count);
            _ = configuration.GetInt32("kernel_1");
        }

        Assert.Equal(Enumerable.Range(9, 9), activeCounts.Order());
    }

    [Fact]
    public void Bohb_resnet_space_has_the_issues_17_dimensions_and_ranges()
    {
        var space = Load("bohb-resnet-000.conf");
        Assert.Equal(17, space.Dimension);
        foreach (var i in new[] { 1, 2, 3 })
        {
            Assert.Equal((1L, 16L, true), Range(space, $"blocks_{i}"));
            Assert.Equal((1L, 5L, false), Range(space, $"branches_{i}"));
        }

        Assert.Equal((8L, 32L, true), Range(space, "initial_filters"));
        Assert.Equal((0.5, 8.0, true), FloatRange(space, "widen_1"));
        Assert.Equal((0.5, 4.0, true), FloatRange(space, "widen_2"));
        Assert.Equal((0.5, 4.0, true), FloatRange(space, "widen_3"));
        Assert.Equal((1e-3, 1.0, true), FloatRange(space, "learning_rate"));
        Assert.Equal((32L, 128L, true), Range(space, "batch_size"));
        Assert.Equal((1e-5, 1e-3, true), FloatRange(space, "weight_decay"));
        Assert.Equal((1e-3, 0.99, false), FloatRange(space, "momentum"));
        Assert.Equal((0.0, 1.0, false), FloatRange(space, "shake_shake_alpha"));
        Assert.Equal((0L, 20L, false), Range(space, "cutout_length"));
        Assert.Equal((0.0, 1.0, false), FloatRange(space, "shakedrop_death_rate"));

        var random = new DeterministicRandom(2018);
        for (var n = 0; n < 1000; n++)
        {
            var configuration = space.Sample(random);
            // No conditions: every parameter is active in every configuration.
            Assert.Equal(17, configuration.Count);
            Assert.Equal(configuration, space.Decode(space.Encode(configuration)));
        }
    }

    private static (double, double, bool) FloatRange(SearchSpace space, string name)
    {
        var parameter = Assert.IsType<FloatParameter>(space[name]);
        return (parameter.Lower, parameter.Upper, parameter.Log);
    }

    private static (long, long, bool) Range(SearchSpace space, string name)
    {
        var parameter = Assert.IsType<IntegerParameter>(space[name]);
        return (parameter.Lower, parameter.Upper, parameter.Log);
    }
}
