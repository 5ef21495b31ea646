using System.Diagnostics;
using System.Text.Json;
using NasHpo.Configuration;
using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>
/// The library's overhead (B11): an external study of random search on an instant objective, every trial asked and
/// told through <see cref="Study"/> (ask-and-tell) or returned by an objective (<see cref="Study.OptimizeAsync"/>),
/// persisted to a scratch SQLite journal; asks-and-tells per second, the medians of --runs runs (at most 5).
/// </summary>
internal static class LibraryBenchmarks
{
    private const int Trials = 2000;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static int Run(BenchmarkOptions options)
    {
        var scratch = Directory.CreateTempSubdirectory("nashpo-bench-library-");
        try
        {
            var runs = Math.Max(1, Math.Min(options.Runs, 5));
            var rows = new List<object>();
            Console.WriteLine(Invariant($"Library benchmark (B11): {Trials} trials of an instant objective, random search, SQLite journal; medians of {runs} runs"));
            foreach (var devices in new[] { 1, 8 })
            {
                foreach (var mode in new[] { "ask-and-tell", "objective" })
                {
                    var rates = new List<double>();
                    for (var run = 0; run < runs; run++)
                    {
                        rates.Add(Rate(Path.Combine(scratch.FullName, Invariant($"{mode}-{devices}-{run}.db")), mode, devices).GetAwaiter().GetResult());
                    }

                    var median = rates.Order().ElementAt(rates.Count / 2);
                    Console.WriteLine(Invariant($"  B11  {mode,-13} {devices} device slot(s)  {median,8:F0} trials/s   runs: {string.Join(" ", rates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}"));
                    rows.Add(new { mode, devices, trialsPerSecond = median, runs = rates });
                }
            }

            var path = options.OutputPath ?? Path.Combine(Path.GetTempPath(), "nashpo-bench-library.json");
            File.WriteAllText(path, JsonSerializer.Serialize(new { suite = "library", cores = Environment.ProcessorCount, trials = Trials, rows }, JsonOptions));
            Console.WriteLine(Invariant($"JSON written to {path}"));
            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Trials per second from the study's opening (engine start excluded) to its end.</summary>
    private static async Task<double> Rate(string database, string mode, int devices)
    {
        var definition = StudyDefinitionReader.FromHocon(Invariant($$"""
            study {
              seed = 1
              devices = {{devices}}
              problem { type = external }
              objectives = [{ name = loss }, { name = size }]
              reference-point = [2, 2]
              search-space {
                x { type = float, lower = 0, upper = 1 }
                y { type = float, lower = 0, upper = 1 }
              }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = {{Trials}} }
            }
            """));
        await using var study = await Study.OpenAsync(definition, database, "b11");
        var watch = Stopwatch.StartNew();
        if (mode == "objective")
        {
            await study.OptimizeAsync((trial, _) => Task.FromResult<IReadOnlyDictionary<string, double>>(Values(trial)));
        }
        else
        {
            while (await study.AskAsync() is { } trial)
            {
                await study.TellAsync(trial, Values(trial));
            }
        }

        return Trials / watch.Elapsed.TotalSeconds;
    }

    private static Dictionary<string, double> Values(Trial trial)
    {
        var x = trial.Configuration.GetDouble("x");
        return new Dictionary<string, double> { ["loss"] = x, ["size"] = 1 - (x * trial.Configuration.GetDouble("y")) };
    }
}
