using System.Diagnostics;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Benchmarks;

/// <summary>B3: the cost of one model-based suggestion after 1 000 observations in a 10-D mixed space, 2 objectives.</summary>
public static class SamplerBenchmarks
{
    public sealed record Row(string Case, int Observations, double MedianMs, double TargetMs);

    public static SearchSpace MixedSpace() => SearchSpace.Create(
    [
        new FloatParameter("learning_rate", 1e-5, 1, Log: true),
        new FloatParameter("weight_decay", 1e-6, 1e-2, Log: true),
        new FloatParameter("dropout", 0, 0.9),
        new FloatParameter("momentum", 0, 0.99),
        new IntegerParameter("layers", 1, 8),
        new IntegerParameter("width", 16, 1024, Log: true),
        new CategoricalParameter("activation", ["relu", "gelu", "tanh"]),
        new CategoricalParameter("optimizer", ["adam", "sgd", "rmsprop", "adamw"]),
        new OrdinalParameter("kernel", ["3", "5", "7"]),
        new BooleanParameter("batch_norm"),
    ]);

    public static IReadOnlyList<Row> Measure(int observations = 1000, int repetitions = 41)
    {
        var space = MixedSpace();
        var history = new ObservationHistory();
        var random = new DeterministicRandom(2024);
        for (var i = 0; i < observations; i++)
        {
            var configuration = space.Sample(random);
            var x = space.Encode(configuration);

            // Two conflicting objectives over the mixed space, so that fronts and splits are non-trivial.
            var f1 = x.Where(double.IsFinite).Select((v, d) => (v - 0.3) * (v - 0.3) * (d + 1)).Sum();
            var f2 = x.Where(double.IsFinite).Select((v, d) => (v - 0.7) * (v - 0.7) * (10 - d)).Sum();
            history.Add(new Observation(configuration, x, 25, [f1, f2], false));
        }

        var rows = new List<Row>();
        foreach (var (name, sampler) in new (string, TreeParzenSampler)[]
        {
            ("MO-BOHB (MOTPE, 24 candidates)", TreeParzenSampler.MoBohb(TreeParzenSampler.MoBohb().Settings with { RandomFraction = 0 })),
            ("BOHB (multivariate TPE, 64 candidates)", TreeParzenSampler.Bohb(TreeParzenSampler.Bohb().Settings with { RandomFraction = 0 })),
        })
        {
            // Warm-up, then one timing per suggestion index (each draws its own derived random stream).
            sampler.Sample(new SamplingContext(space, history, 0, 25, DeterministicRandom.Derive(1, 0, "sample")));
            var times = new double[repetitions];
            for (var k = 0; k < repetitions; k++)
            {
                var context = new SamplingContext(space, history, k + 1, 25, DeterministicRandom.Derive(1, k + 1, "sample"));
                var watch = Stopwatch.StartNew();
                sampler.Sample(context);
                times[k] = watch.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            rows.Add(new Row(name, observations, times[repetitions / 2], 5.0));
        }

        return rows;
    }
}
