using System.Reflection;
using NasHpo.Core.Randomness;
using static NasHpo.Cli.Tests.EndToEnd.KillLoop;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// A library user's ask-and-tell program (tests/Programs/NasHpo.AskTellConsumer: four trials out at once, told
/// smallest id first) as a real process, killed with SIGKILL and opened again: nothing told is lost, nothing is
/// recorded twice, and the study ends as an uninterrupted run with the same tells ends.
/// </summary>
public sealed class AskTellCrashTests : IDisposable
{
    /// <summary>The consumer's dll in its own output folder (the project is referenced for its build only).</summary>
    private static readonly string Consumer = typeof(AskTellCrashTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AskTellConsumer").Value!;
    private const int Evaluations = 120;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-asktell-crash-");

    // Random search decides each configuration from the seed and its number alone, so with four devices (and the
    // engine's prefetch) the same tells give the same ledger whatever the timing; model-based optimizers do not
    // (see the README, "Use it from C#").
    private static string StudyText => $$"""
        study {
          name = asktell
          seed = 17
          devices = 4
          problem { type = external }
          objectives = [{ name = loss }, { name = size }]
          reference-point = [3, 3]
          search-space {
            x { type = float, lower = 0, upper = 1 }
            y { type = float, lower = 0, upper = 1 }
          }
          optimizer { type = random, max-budget = 3 }
          stop { max-evaluations = {{Evaluations}} }
        }
        """;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Ask_and_tell_with_four_out_killed_at_random_moments_ends_with_the_ledger_and_front_of_an_uninterrupted_run()
    {
        var studyFile = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(studyFile, StudyText);
        var clean = Path.Combine(_directory.FullName, "clean.db");

        // The uninterrupted run, timed from the moment it opened the study: the kills below are drawn within the
        // time a run needs for what is left.
        TimeSpan span;
        (int ExitCode, string Stdout, string Stderr) straight;
        using (var process = NashpoProcess.StartProgram(Consumer, _directory.FullName, studyFile, clean, "s"))
        {
            await process.StudyStarted.WaitAsync(Limit);
            var opened = System.Diagnostics.Stopwatch.StartNew();
            straight = await process.WaitAsync(Limit);
            span = opened.Elapsed;
        }

        Assert.True(straight.ExitCode == 0, straight.Stderr + straight.Stdout);
        Assert.Equal(4, MostOutAtOnce(straight.Stdout));

        // Kills 10–80 % of the way through what is left after the program opened the study (moments from a fixed
        // seed), until five have landed mid-study; what each killed run had told is kept to check against the end.
        // A kill that found nothing new written doubles the moments after it: on a loaded machine a run needs longer
        // than the uninterrupted one took. A kill that came after the run had ended (CI once timed the uninterrupted
        // run while loaded, then ran the crashed one unloaded: all 30 kills found the study finished) halves them and
        // starts the crashed study again in a fresh journal.
        var random = new DeterministicRandom(20261205);
        var landed = 0;
        var stretch = 1.0;
        var toldBeforeKills = new List<string>();
        var crashed = Path.Combine(_directory.FullName, "crashed-0.db");
        for (var attempt = 0; attempt < 30 && landed < 5; attempt++)
        {
            var before = Evaluated(crashed);
            var left = (double)(Evaluations - before) / Evaluations;
            using var process = NashpoProcess.StartProgram(Consumer, _directory.FullName, studyFile, crashed, "s");
            await process.StudyStarted.WaitAsync(Limit);
            await Task.Delay(span * left * stretch * (0.1 + (0.7 * random.NextDouble())));
            process.Kill();
            var (_, stdout, _) = await process.WaitAsync(Limit);
            var recorded = Evaluated(crashed);
            if (recorded == Evaluations)
            {
                (landed, stretch) = (0, stretch / 2);
                toldBeforeKills.Clear();
                crashed = Path.Combine(_directory.FullName, $"crashed-{attempt + 1}.db");
                continue;
            }

            toldBeforeKills.AddRange(Answered(stdout));
            if (recorded > 0)
            {
                landed++;
            }

            if (recorded == before)
            {
                stretch *= 2;
            }
        }

        Assert.True(landed >= 5, $"only {landed} kills landed mid-study");
        var last = await RunConsumerAsync(studyFile, crashed, "s");
        Assert.True(last.ExitCode == 0, last.Stderr + last.Stdout);

        var expected = Report(clean, "s", "clean");
        var actual = Report(crashed, "s", "crashed");
        Assert.Equal(Evaluations + 1, expected.Trials.Length);
        Assert.Equal(expected.Trials, actual.Trials);
        Assert.Equal(expected.Front, actual.Front);
        var ids = actual.Trials.Skip(1).Select(line => line.Split(',')[0]).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        // Every tell a killed run made is in the ledger, recorded once (some were handed out again and told again).
        Assert.All(toldBeforeKills.Distinct(), id => Assert.Contains(id, ids));
    }

    [Fact]
    public async Task Ask_and_tell_killed_between_a_tell_and_its_write_hands_that_trial_out_again()
    {
        var studyFile = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(studyFile, StudyText);

        // The program kills itself with SIGKILL the moment its tenth tell returns; the write takes several actor
        // hops and a SQLite commit, so it almost always dies before it. Should the write win, the next attempt
        // (another study) tries again; one kill that beat the write is what this test needs.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var database = Path.Combine(_directory.FullName, $"attempt-{attempt}.db");
            var killed = await RunConsumerAsync(studyFile, database, "k", "--kill-after-tells", "10");
            Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}{killed.Stdout}");
            var toldLast = Answered(killed.Stdout).Last();
            var atKill = Report(database, "k", $"at-kill-{attempt}");
            if (atKill.Trials.Any(line => line.StartsWith(toldLast + ",", StringComparison.Ordinal) && IsAnswered(line)))
            {
                continue;
            }

            var again = await RunConsumerAsync(studyFile, database, "k");
            Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
            Assert.Contains($"asked {toldLast}", again.Stdout.Split('\n').Select(l => l.TrimEnd('\r')));
            var end = Report(database, "k", $"end-{attempt}");
            Assert.Equal(Evaluations + 1, end.Trials.Length);
            Assert.Single(end.Trials, line => line.StartsWith(toldLast + ",", StringComparison.Ordinal) && IsAnswered(line));
            return;
        }

        Assert.Fail("in three attempts the tell was written before the kill every time");
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunConsumerAsync(params string[] args)
    {
        using var process = NashpoProcess.StartProgram(Consumer, _directory.FullName, args);
        return await process.WaitAsync(Limit);
    }

    private static IEnumerable<string> Answered(string stdout) =>
        stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("told ", StringComparison.Ordinal) || l.StartsWith("failed ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

    /// <summary>The most trials the program held at once, from its lines (an ask adds one, a tell or a failure removes one).</summary>
    private static int MostOutAtOnce(string stdout)
    {
        var (out_, most) = (0, 0);
        foreach (var line in stdout.Split('\n'))
        {
            out_ += line.StartsWith("asked ", StringComparison.Ordinal) ? 1 : line.StartsWith("told ", StringComparison.Ordinal) || line.StartsWith("failed ", StringComparison.Ordinal) ? -1 : 0;
            most = Math.Max(most, out_);
        }

        return most;
    }

    private static bool IsAnswered(string line) => line.Contains(",completed,", StringComparison.Ordinal) || line.Contains(",failed,", StringComparison.Ordinal);

    // A program killed before it wrote its study leaves a journal without it.
    private static bool NoStudyYet(string output) => output.Contains("no study", StringComparison.OrdinalIgnoreCase);

    private static int Evaluated(string database)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        // A read on a loaded machine can time out inside the engine (exit 1): read again rather than take it for an
        // empty study, which would count a kill as landing before anything was written.
        var status = CliHarness.Run("status", "s", "--db", database, "--json");
        for (var retry = 0; retry < 5 && status.ExitCode != 0 && !NoStudyYet(status.Stdout + status.Stderr); retry++)
        {
            status = CliHarness.Run("status", "s", "--db", database, "--json");
        }

        if (status.ExitCode != 0)
        {
            Assert.True(NoStudyYet(status.Stdout + status.Stderr), $"status failed: {status.Stderr}{status.Stdout}");
            return 0;
        }

        using var json = System.Text.Json.JsonDocument.Parse(status.Stdout);
        return json.RootElement.GetProperty("evaluations").GetInt32();
    }

    /// <summary>The report's trials.csv and pareto.csv without the columns that differ between runs (time, device).</summary>
    private (string[] Trials, string[] Front) Report(string database, string studyId, string name)
    {
        var folder = Path.Combine(_directory.FullName, name);
        var report = CliHarness.Run("report", studyId, "--db", database, "--out", folder);
        Assert.True(report.ExitCode == 0, report.Stderr);
        return (WithoutTimingColumns(Path.Combine(folder, "trials.csv")), WithoutTimingColumns(Path.Combine(folder, "pareto.csv")));
    }
}
