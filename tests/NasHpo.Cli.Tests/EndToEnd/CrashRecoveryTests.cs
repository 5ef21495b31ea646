using static NasHpo.Cli.Tests.EndToEnd.KillLoop;

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
        // Kill until five kills have landed mid-study (with a bound on attempts, so a fast machine cannot loop).
        var crashed = Directory.CreateDirectory(Path.Combine(_directory.FullName, "crashed")).FullName;
        var outcome = await KillLoop.RunAsync(crashed, studyFile, "s", Evaluations, midStudyKills: 5, maxAttempts: 20, seed: 20261122, Limit);

        Assert.True(outcome.MidStudyKills >= 5, outcome.Describe());
        Assert.True(outcome.Final.ExitCode == 0, outcome.Final.Stderr + outcome.Final.Stdout);
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
}
