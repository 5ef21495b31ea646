using System.Globalization;
using System.Text.Json;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>B3: the cost of one model-based suggestion after 1 000 observations in a 10-D mixed space, 2 objectives.</summary>
internal static class SamplerBenchmarks
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private sealed record Row(string Case, int Observations, double MedianMs, double FirstCallMs, double TargetMs)
    {
        public bool Met => MedianMs < TargetMs;
    }

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

    public static int Run(BenchmarkOptions options)
    {
        var rows = MeasureAll(1000, options.Runs);
        Console.WriteLine("B3 sampler cost: one model-based suggestion after 1 000 observations, 10-D mixed space, 2 objectives");
        Console.WriteLine("  (random fraction set to 0 so every suggestion builds the model; median ms after warm-up, first call in brackets)");
        Console.WriteLine(Invariant($"  {"case",-40} {"obs",6} {"ours ms",9} {"(first)",9} {"target ms",10}  ok"));
        foreach (var r in rows)
        {
            Console.WriteLine(Invariant($"  {r.Case,-40} {r.Observations,6} {r.MedianMs,9:F2} {"(" + r.FirstCallMs.ToString("F1", CultureInfo.InvariantCulture) + ")",9} {r.TargetMs,10:F0}  {(r.Met ? "yes" : "NO")}"));
        }

        var path = options.OutputPath ?? Path.Combine(Path.GetTempPath(), "nashpo-bench-sampler.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { suite = "sampler", machine = Environment.MachineName, cores = Environment.ProcessorCount, rows }, JsonOptions));
        Console.WriteLine(Invariant($"JSON written to {path}"));
        return rows.All(r => r.Met) ? 0 : 1;
    }

    private static List<Row> MeasureAll(int observations, int runs)
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
            // Each call is a different suggestion index, so each draws its own derived random stream.
            long index = 0;
            var (median, _, first, _) = Measure.Median(
                () =>
                {
                    index++;
                    return sampler.Sample(new SamplingContext(space, history, index, 25, DeterministicRandom.Derive(1, index, "sample")));
                },
                runs);
            rows.Add(new Row(name, observations, median, first, 5.0));
        }

        return rows;
    }
}
