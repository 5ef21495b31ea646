using System.Globalization;
using NasHpo.Cli.Tests.EndToEnd;

namespace NasHpo.Cli.Tests.Command;

/// <summary>
/// Command studies through the real `nashpo` process and real trial programs (python3 running the dependency-free
/// example): a multi-fidelity study end to end, failures, refusals, and stopping in every way, with the processes
/// listed after each case so that none is left.
/// </summary>
public sealed class CommandStudyTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-command-");

    public void Dispose()
    {
        // Never leave a program behind, even when a test failed half-way.
        foreach (var process in CommandExample.ProcessesUnder(_directory.FullName))
        {
            try
            {
                using var kill = System.Diagnostics.Process.GetProcessById(int.Parse(process.Split(':')[0], CultureInfo.InvariantCulture));
                kill.Kill();
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException)
            {
            }
        }

        _directory.Delete(recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Nashpo(params string[] args) => NashpoProcess.RunAsync(_directory.FullName, Limit, args);

    private string[][] Csv(string report, string file) =>
        File.ReadAllLines(Path.Combine(_directory.FullName, report, file)).Select(l => l.Split(',')).ToArray();

    [Fact]
    public async Task A_multi_fidelity_study_continues_from_parents_and_reports_learning_curves_and_a_front()
    {
        var study = Write("quick.conf", CommandExample.Study(
            "cheap-command = [\"python3\", \"quadratic.py\", \"--x\", \"${x}\", \"--y\", \"${y}\", \"--cheap\"]",
            "devices = 2\noptimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9, continue-from-checkpoint = true }\nstop { max-evaluations = 13 }"));

        var run = await Nashpo("run", study, "--study-id", "q");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(0, (await Nashpo("report", "q", "--out", "report")).ExitCode);

        var trials = Csv("report", "trials.csv");
        var header = trials[0];
        var rows = trials[1..];
        string Cell(string[] row, string column) => row[Array.IndexOf(header, column)];
        Assert.Equal(13, rows.Length);
        Assert.All(rows, row => Assert.Equal("completed", Cell(row, "status")));

        // Promoted trials continued from their parent's checkpoint directory (a third of their budget done); the
        // others, first rungs of their brackets, started from scratch.
        var promoted = rows.Where(r => Cell(r, "rung") != "0").ToArray();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, row => Assert.Equal(int.Parse(Cell(row, "budget"), CultureInfo.InvariantCulture) / 3, int.Parse(Cell(row, "start-epoch"), CultureInfo.InvariantCulture)));
        Assert.All(rows.Except(promoted), row => Assert.Equal("0", Cell(row, "start-epoch")));

        // Every completed trial's reports are its learning curve, epoch by epoch.
        var curves = Csv("report", "curves.csv");
        Assert.Equal(["trial", "configuration_id", "budget", "step", "metric", "value"], curves[0]);
        foreach (var row in rows)
        {
            var trial = Cell(row, "trial_id");
            var losses = curves.Where(c => c[0] == trial && c[4] == "loss").ToArray();
            var start = int.Parse(Cell(row, "start-epoch"), CultureInfo.InvariantCulture);
            var budget = int.Parse(Cell(row, "budget"), CultureInfo.InvariantCulture);
            Assert.Equal(budget - start + 1, losses.Length); // one per epoch trained, and the final report
            Assert.Equal(start + 1, double.Parse(losses[0][3], CultureInfo.InvariantCulture));
        }

        Assert.True(Csv("report", "pareto.csv").Length >= 2, "no Pareto front");
        var status = await Nashpo("status", "q", "--json");
        Assert.Contains("\"state\":\"finished\"", status.Stdout, StringComparison.Ordinal);

        // Each trial wrote its log and request file; directories of trials off the final front were cleaned up.
        var checkpoints = Path.Combine(_directory.FullName, "nashpo.db.checkpoints", "q");
        Assert.All(rows, row => Assert.True(File.Exists(Path.Combine(checkpoints, Cell(row, "trial_id") + ".log"))));
        Assert.True(Directory.GetDirectories(checkpoints).Length < rows.Length);
        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("exit", "", "exited with code 3", "failing on purpose")]
    [InlineData("nan", "", "loss\"\" is NaN", "")]
    [InlineData("missing", "", "size\"\" is missing from the last NASHPO_REPORT line", "")]
    [InlineData("hang", "trial-timeout = 2s", "trial time-out", "")]
    public async Task A_failing_program_fails_its_trial_with_a_clear_reason_and_the_study_goes_on(string failure, string problemExtra, string reason, string stderr)
    {
        var study = Write("fail.conf", CommandExample.Study(
            $"environment {{ QUADRATIC_FAIL = \"{failure}\" }}\n{problemExtra}",
            "devices = 1\noptimizer { type = random, max-budget = 2 }\nstop { max-evaluations = 2 }"));

        var run = await Nashpo("run", study, "--study-id", "f");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(0, (await Nashpo("report", "f", "--out", "report")).ExitCode);
        var text = File.ReadAllText(Path.Combine(_directory.FullName, "report", "trials.csv"));
        var rows = Csv("report", "trials.csv")[1..];
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Contains("failed", row));
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.Contains(stderr, text, StringComparison.Ordinal);
        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("[\"no-such-program-nashpo\", \"${x}\"]", "study.problem.command[0]", "not found on PATH")]
    [InlineData("[\"python3\", \"--lr\", \"${learning_rate}\"]", "study.problem.command[2]", "unknown placeholder ${learning_rate}")]
    [InlineData("[]", "study.problem.command", "empty")]
    public async Task A_study_whose_program_cannot_run_is_refused_before_anything_is_persisted(string command, string path, string mention)
    {
        var study = Write("bad.conf", CommandExample.Study($"command = {command}", "optimizer { type = random }\nstop { max-evaluations = 1 }"));

        var run = await Nashpo("run", study);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nashpo: ", line, StringComparison.Ordinal);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.Contains(mention, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "nashpo.db")), "a refused study left a database");
    }

    private string LongStudy(string stop, int devices = 1) => Write("long.conf", CommandExample.Study(
        "environment { QUADRATIC_EPOCH_SECONDS = \"0.5\" }",
        $"devices = {devices}\noptimizer {{ type = random, max-budget = 40 }}\nstop {{ {stop} }}"));

    [Fact]
    public async Task Ctrl_C_of_the_engine_ends_the_trial_programs()
    {
        var study = LongStudy("max-evaluations = 4", devices: 2);
        using var process = NashpoProcess.Start(_directory.FullName, "run", study, "--study-id", "c");
        await process.StudyStarted.WaitAsync(Limit);
        await CommandExample.WaitForFileAsync(Path.Combine(_directory.FullName, "nashpo.db.checkpoints", "c", "trial-0-b40", "state.json"), Limit, () => process.HasExited);
        Assert.NotEmpty(CommandExample.ProcessesUnder(_directory.FullName));

        process.Interrupt();
        var (exitCode, stdout, stderr) = await process.WaitAsync(Limit);

        Assert.True(exitCode != 0, stdout);
        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(5));
        Assert.Contains("unfinished", (await Nashpo("status", "c", "--json")).Stdout, StringComparison.Ordinal);
        _ = stderr;
    }

    [Fact]
    public async Task A_study_that_stops_on_its_wall_clock_ends_its_running_programs()
    {
        var study = LongStudy("max-wall-clock = 6s", devices: 2);

        var run = await Nashpo("run", study, "--study-id", "w");

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("max-wall-clock", run.Stdout, StringComparison.Ordinal);
        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Kill_9_of_the_engine_leaves_no_program_and_resume_restarts_the_trial_from_its_own_checkpoint_directory()
    {
        var study = Write("kill.conf", CommandExample.Study(
            "environment { QUADRATIC_EPOCH_SECONDS = \"0.3\" }",
            "devices = 1\noptimizer { type = random, max-budget = 12 }\nstop { max-evaluations = 2 }"));
        using (var process = NashpoProcess.Start(_directory.FullName, "run", study, "--study-id", "k"))
        {
            await process.StudyStarted.WaitAsync(Limit);
            await CommandExample.WaitForFileAsync(Path.Combine(_directory.FullName, "nashpo.db.checkpoints", "k", "trial-0-b12", "state.json"), Limit, () => process.HasExited);
            Assert.False(process.HasExited, "the study finished before it could be killed");
            Assert.NotEmpty(CommandExample.ProcessesUnder(_directory.FullName));

            // The engine alone: its trial program must end by itself (the watchdog sees the engine's pipe close).
            process.KillEngineOnly();
        }

        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(10));
        Assert.Contains("\"state\":\"unfinished\"", (await Nashpo("status", "k", "--json")).Stdout, StringComparison.Ordinal);

        var resumed = await Nashpo("resume", "k");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.Equal(0, (await Nashpo("report", "k", "--out", "report")).ExitCode);

        var trials = Csv("report", "trials.csv");
        var header = trials[0];
        var rows = trials[1..];
        Assert.Equal(2, rows.Length);
        Assert.Equal(2, rows.Select(r => r[0]).Distinct().Count());
        var first = rows.Single(r => r[0] == "trial-0-b12");
        Assert.Equal("completed", first[Array.IndexOf(header, "status")]);
        Assert.InRange(int.Parse(first[Array.IndexOf(header, "start-epoch")], CultureInfo.InvariantCulture), 1, 11);
        var log = File.ReadAllText(Path.Combine(_directory.FullName, "nashpo.db.checkpoints", "k", "trial-0-b12.log"));
        Assert.Contains("from own", log, StringComparison.Ordinal);
        await CommandExample.AssertNoProcessLeftAsync(_directory.FullName, TimeSpan.FromSeconds(5));
    }
}
