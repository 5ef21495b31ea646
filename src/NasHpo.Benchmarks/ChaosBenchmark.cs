using System.Text.Json;
using NasHpo.Benchmarks.Chaos;

namespace NasHpo.Benchmarks;

/// <summary>
/// chaos: the real `nashpo` killed with SIGKILL at random moments (startup, recovery, mid-trial, mid-write, shutdown)
/// across several studies at once (every optimizer in deterministic mode, a training study, a command study), then
/// the account: kills made, studies finished, evaluations lost and run twice (both must be 0), and whether the
/// deterministic studies ended identical to an uninterrupted run. Exit 0 only when everything is clean.
/// </summary>
internal static class ChaosBenchmark
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(BenchmarkOptions options)
    {
        var nashpo = Path.Combine(AppContext.BaseDirectory, "nashpo.dll");
        var root = ChaosStudies.FindRepositoryRoot(AppContext.BaseDirectory);
        IReadOnlyList<ChaosStudy> studies;
        try
        {
            studies = ChaosStudies.Select(options.Studies, root);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        var scratch = options.Scratch ?? Directory.CreateTempSubdirectory("nashpo-chaos-").FullName;
        Console.WriteLine($"chaos: {options.Kills} kills, seed {options.Seed}, {options.Parallel} studies at once, in {scratch}; studies: {string.Join(", ", studies.Select(s => s.Name))}");
        var outcome = ChaosRun.RunAsync(new ChaosOptions(nashpo, scratch, options.Kills, options.Seed, options.Parallel, studies, TimeSpan.FromMinutes(10))
        {
            Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"),
        }).GetAwaiter().GetResult();

        foreach (var line in outcome.Describe())
        {
            Console.WriteLine(line);
        }

        if (options.OutputPath is { } output)
        {
            File.WriteAllText(output, JsonSerializer.Serialize(new
            {
                options.Kills,
                options.Seed,
                options.Parallel,
                Made = outcome.KillsByMoment.ToDictionary(k => ChaosOutcome.Name(k.Key), k => k.Value),
                outcome.Finished,
                outcome.Lost,
                outcome.Doubled,
                outcome.JournalProblems,
                outcome.Identical,
                outcome.Deterministic,
                ElapsedSeconds = outcome.Elapsed.TotalSeconds,
                outcome.Rounds,
            }, Indented));
        }

        if (outcome.Clean && options.Scratch is null)
        {
            Directory.Delete(scratch, recursive: true);
        }

        return outcome.Clean ? 0 : 1;
    }
}
