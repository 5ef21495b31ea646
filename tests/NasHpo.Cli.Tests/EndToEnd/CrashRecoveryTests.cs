using NasHpo.Core.Randomness;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// Kill -9 the real `nashpo` process at random moments, resume it, and compare with an uninterrupted run. In
/// deterministic mode (one device, synthetic objective, fixed seed) the final trials.csv (minus timing and device
/// columns) and pareto.csv must be identical, and no evaluation may be lost or run twice.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Evaluations = 90;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-crash-");

    // Small and quick, but slow enough per evaluation (60 ms at the full budget) that kills land mid-study.
    private static string Study => $$"""
        study {
          seed = 11
          devices = 1
          problem { type = zdt1, dimensions = 6, delay = 60ms }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = {{Evaluations}} }
        }
        """;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_study_killed_five_times_and_resumed_ends_identical_to_an_uninterrupted_one()
    {
        var studyFile = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(studyFile, Study);

        // The reference: one uninterrupted run.
        var clean = Directory.CreateDirectory(Path.Combine(_directory.FullName, "clean")).FullName;
        var run = await NashpoProcess.RunAsync(clean, Limit, "run", studyFile, "--study-id", "s");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(0, (await NashpoProcess.RunAsync(clean, Limit, "report", "s", "--out", "report")).ExitCode);

        // The same study, killed at random moments; the random moments come from a fixed seed so a failure repeats.
        var crashed = Directory.CreateDirectory(Path.Combine(_directory.FullName, "crashed")).FullName;
        var random = new DeterministicRandom(20261122);
        var kills = 0;
        var midStudyKills = 0;
        var evaluationsAtKill = new List<int>();
        var args = new[] { "run", studyFile, "--study-id", "s" };

        // Kill until five kills have landed mid-study (with a bound on attempts, so a fast machine cannot loop).
        for (var attempt = 0; attempt < 12 && midStudyKills < 5; attempt++)
        {
            using var process = NashpoProcess.Start(crashed, args);

            // Time the kill from the moment the study runs, so that a slow start on a loaded machine does not
            // turn every kill into one that lands before the study exists.
            await process.StudyStarted.WaitAsync(Limit);
            await Task.Delay(TimeSpan.FromMilliseconds(50 + random.Next(500)));
            if (process.HasExited)
            {
                var early = await process.WaitAsync(Limit);
                Assert.True(early.ExitCode == 0, $"exit {early.ExitCode}: {early.Stderr}");
                break;
            }

            process.Kill();
            kills++;

            // A kill before the study was first written leaves nothing to resume: run it again, as a user would.
            var status = await NashpoProcess.RunAsync(crashed, Limit, "status", "s", "--json");
            var exists = status.ExitCode == 0;
            args = exists ? ["resume", "s"] : ["run", studyFile, "--study-id", "s"];
            if (exists)
            {
                using var json = System.Text.Json.JsonDocument.Parse(status.Stdout);
                var evaluations = json.RootElement.GetProperty("evaluations").GetInt32();
                evaluationsAtKill.Add(evaluations);
                if (evaluations is > 0 and < Evaluations)
                {
                    midStudyKills++;
                }
            }
        }

        Assert.True(
            midStudyKills >= 5,
            $"{kills} kills, {midStudyKills} in the middle of the study; evaluations at each kill: {string.Join(", ", evaluationsAtKill)}");
        var resumed = await NashpoProcess.RunAsync(crashed, Limit, args);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.Equal(0, (await NashpoProcess.RunAsync(crashed, Limit, "report", "s", "--out", "report")).ExitCode);

        var expectedTrials = WithoutTimingColumns(Path.Combine(clean, "report", "trials.csv"));
        var actualTrials = WithoutTimingColumns(Path.Combine(crashed, "report", "trials.csv"));
        Assert.Equal(Evaluations + 1, expectedTrials.Length);
        Assert.Equal(expectedTrials, actualTrials);
        Assert.Equal(
            WithoutTimingColumns(Path.Combine(clean, "report", "pareto.csv")),
            WithoutTimingColumns(Path.Combine(crashed, "report", "pareto.csv")));

        // Nothing run twice at the same budget, nothing lost.
        var ids = actualTrials.Skip(1).Select(line => line.Split(',')[0]).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(actualTrials.Skip(1), line => Assert.Contains(",completed,", line, StringComparison.Ordinal));
    }

    /// <summary>The report's rows with the columns that may differ between runs (time, device, node) removed.</summary>
    private static string[] WithoutTimingColumns(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length)
            .Where(i => !new[] { "time", "_at", "duration", "device", "node", "worker" }.Any(token => header[i].Contains(token, StringComparison.Ordinal)))
            .ToArray();
        return lines.Select(line =>
        {
            var cells = line.Split(',');
            return string.Join(',', keep.Select(i => cells[i]));
        }).ToArray();
    }
}
