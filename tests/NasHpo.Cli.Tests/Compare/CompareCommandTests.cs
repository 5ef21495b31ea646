using System.Globalization;
using NasHpo.Actors.Hosting;
using NasHpo.Cli.Commands;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Tests.Compare;

/// <summary>
/// <c>nashpo compare</c> end to end, in-process, on the shipped ZDT1 study shrunk by --set (3 dimensions, budgets 1
/// and 3, a couple of dozen evaluations per run), so each run takes about a second.
/// </summary>
public sealed class CompareCommandTests : IDisposable
{
    private static readonly string Zdt1 = Path.Combine(AppContext.BaseDirectory, "studies", "zdt1.conf");

    private static readonly string[] TinyOverrides = ["problem.dimensions=3", "optimizer.max-budget=3", "stop.max-evaluations=24"];

    private static readonly string[] Tiny = [.. TinyOverrides.SelectMany(o => new[] { "--set", o })];

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private string Out => Path.Combine(_harness.Directory, "compare");

    [Fact]
    public async Task A_comparison_writes_curves_fronts_samples_and_a_summary_that_agree_with_the_journals()
    {
        var result = CliHarness.Run(["compare", Zdt1, "--optimizers", "random,mo-bohb", "--seeds", "2", "--out", Out, .. Tiny]);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("[4/4] mo-bohb seed 2", StringComparison.Ordinal));

        foreach (var png in new[] { "hypervolume-evaluations", "hypervolume-budget", "hypervolume-wall-time", "pareto-front", "samples-random", "samples-mo-bohb" })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(Out, png + ".png"));
            Assert.Equal(PngSignature, bytes.Take(8));
            Assert.True(bytes.Length > 10_000, $"{png}.png has only {bytes.Length} bytes");
        }

        // The study's seed is 1: runs use seeds 1 and 2.
        var finals = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (file, column) in new[] { ("hypervolume-evaluations.csv", "evaluations"), ("hypervolume-budget.csv", "budget_spent"), ("hypervolume-wall-time.csv", "wall_time_s") })
        {
            var (header, rows) = ReadCsv(Path.Combine(Out, file));
            Assert.Equal(["method", column, "hv_mean", "hv_sem", "seeds", "seed_1", "seed_2"], header);
            foreach (var method in new[] { "random", "mo-bohb" })
            {
                var curve = rows.Where(r => r[0] == method).Select(r => r.Skip(1).Select(Parse).ToArray()).ToArray();
                Assert.True(curve.Length > 2, $"{file}: {method} has {curve.Length} rows");
                Assert.Equal(0, curve[0][0]);
                for (var i = 0; i < curve.Length; i++)
                {
                    var (x, mean, sem, seeds, a, b) = (curve[i][0], curve[i][1], curve[i][2], curve[i][3], curve[i][4], curve[i][5]);
                    Assert.Equal(2, seeds);
                    Assert.Equal((a + b) / 2, mean, 12);
                    Assert.Equal(Math.Abs(a - b) / 2, sem, 12); // SEM of two values
                    if (i > 0)
                    {
                        Assert.True(x > curve[i - 1][0], $"{file}: the grid must increase");
                        Assert.True(a >= curve[i - 1][4] && b >= curve[i - 1][5], $"{file}: {method}'s hypervolume decreased at {x}");
                    }
                }

                Assert.True(curve[^1][4] > 0 && curve[^1][5] > 0, $"{file}: {method} ended without a maximum-budget result");
                finals[method] = [curve[^1][4], curve[^1][5]];
            }

            // Evaluation counts are the grid itself: every run stops at 24.
            if (column == "evaluations")
            {
                Assert.Equal(Enumerable.Range(0, 25).Select(i => (double)i), rows.Where(r => r[0] == "random").Select(r => Parse(r[1])));
            }
        }

        var (summaryHeader, summary) = ReadCsv(Path.Combine(Out, "summary.csv"));
        Assert.Equal("final_hv_mean", summaryHeader[2]);
        Assert.Equal(["random", "mo-bohb"], summary.Select(r => r[0]));
        foreach (var row in summary)
        {
            Assert.Equal("2", row[1]);
            Assert.Equal(finals[row[0]].Average(), Parse(row[2]), 12);
            Assert.Equal(24, Parse(row[6]));
        }

        // Random search reaches its own final mean at the latest where its budget ends.
        Assert.Equal("budget_to_match_random", summaryHeader[10]);
        var randomRow = summary.Single(r => r[0] == "random");
        Assert.InRange(Parse(randomRow[10]), 0, Parse(randomRow[7]));

        var markdown = await File.ReadAllTextAsync(Path.Combine(Out, "summary.md"));
        Assert.Contains("| mo-bohb | ", markdown, StringComparison.Ordinal);

        // The engine's own archive computed each run's hypervolume independently while it ran; the comparison agrees.
        foreach (var (method, values) in finals)
        {
            for (var seed = 1; seed <= 2; seed++)
            {
                var id = CompareCommand.RunId(method, seed);
                var database = Path.Combine(Out, "runs", id + ".db");
                await using var session = JournalSession.Open(JournalSettings.Sqlite(database));
                var record = await session.ReadStudyAsync(id, CancellationToken.None);
                Assert.Equal("finished", record.State);
                Assert.Equal(record.Hypervolume, values[seed - 1], 1e-9);
            }
        }

        // Every front row is a completed maximum-budget sample of that method.
        var (_, samples) = ReadCsv(Path.Combine(Out, "samples.csv"));
        var (frontHeader, front) = ReadCsv(Path.Combine(Out, "pareto-front.csv"));
        Assert.Equal(["method", "seed", "evaluation", "f1", "f2"], frontHeader);
        Assert.NotEmpty(front);
        Assert.All(front, row => Assert.Contains(samples, s => s[0] == row[0] && s[1] == row[1] && s[2] == row[2] && s[4] == "true" && s[5] == row[3] && s[6] == row[4]));
    }

    [Fact]
    public async Task An_interrupted_comparison_skips_finished_runs_and_resumes_the_unfinished_one()
    {
        // 100 ms per evaluation keeps the second run busy for a few seconds; it is interrupted once its progress shows
        // a recorded evaluation (so the journal holds it), the way a user presses Ctrl+C while watching.
        string[] overrides = [.. TinyOverrides, "problem.delay=100ms"];
        using var interrupt = new CancellationTokenSource();
        using var first = new TriggerWriter(RecordedSomething("[2/2] random seed 2: "), interrupt.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            CompareCommand.ExecuteAsync(new CliConsole(TextReader.Null, first, TextWriter.Null), Zdt1, "random", 2, Out, overrides, interrupt.Token));
        Assert.Contains("comparison interrupted", first.ToString(), StringComparison.Ordinal);

        var secondStarted = DateTimeOffset.UtcNow;
        using var second = new StringWriter();
        var exitCode = await CompareCommand.ExecuteAsync(new CliConsole(TextReader.Null, second, TextWriter.Null), Zdt1, "random", 2, Out, overrides, CancellationToken.None);
        Assert.Equal(ExitCodes.Success, exitCode);
        var output = second.ToString();
        Assert.Contains("[1/2] random seed 1 already finished", output, StringComparison.Ordinal);
        Assert.Contains("resuming [2/2] random seed 2", output, StringComparison.Ordinal);

        var finished = await ReadRun("random-seed1");
        Assert.Equal(24, finished.Completed);
        Assert.All(finished.Trials, t => Assert.True(t.Completed!.CompletedAt < secondStarted, $"{t.Id} ran again"));
        var resumed = await ReadRun("random-seed2");
        Assert.Equal("finished", resumed.State);
        Assert.Equal(24, resumed.Completed + resumed.FailedCount);

        var (_, summary) = ReadCsv(Path.Combine(Out, "summary.csv"));
        Assert.Equal("24", Assert.Single(summary)[6]);
    }

    [Theory]
    [InlineData("random,smac", "2", "--optimizers: unknown optimizer \"smac\" (expected one of: random, ")]
    [InlineData("random,,bohb", "2", "--optimizers: empty name in \"random,,bohb\"")]
    [InlineData("random,random", "2", "--optimizers: \"random\" is listed twice")]
    [InlineData("random", "0", "--seeds: must be a whole number from 1 to 1000 (got 0)")]
    [InlineData("random", "-3", "--seeds: must be a whole number from 1 to 1000 (got -3)")]
    [InlineData("random", "five", "five")]
    public void Bad_optimizers_or_seed_counts_are_one_line_with_exit_code_2_and_nothing_written(string optimizers, string seeds, string expected)
    {
        var result = CliHarness.Run("compare", Zdt1, "--optimizers", optimizers, "--seeds", seeds, "--out", Out);
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void A_bad_override_names_the_key_before_anything_runs()
    {
        var result = CliHarness.Run("compare", Zdt1, "--optimizers", "random", "--seeds", "2", "--out", Out, "--set", "stop.max-evaluations=0");
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Contains("study.stop.max-evaluations: 0 is below the minimum 1", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    /// <summary>A progress line of this run showing at least one evaluation and the run not yet finished.</summary>
    private static Func<string, bool> RecordedSomething(string prefix) => line =>
        line.StartsWith(prefix, StringComparison.Ordinal)
        && int.TryParse(line.AsSpan(prefix.Length, line.IndexOf(' ', prefix.Length) - prefix.Length), CultureInfo.InvariantCulture, out var evaluations)
        && evaluations is > 0 and < 24;

    private static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static (string[] Header, string[][] Rows) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        return (lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToArray());
    }

    private async Task<NasHpo.Actors.ReadSide.StudyRecord> ReadRun(string id)
    {
        var database = Path.Combine(Out, "runs", id + ".db");
        await using var session = JournalSession.Open(JournalSettings.Sqlite(database));
        return await session.ReadStudyAsync(id, CancellationToken.None);
    }

    /// <summary>Collects output and calls an action once, when a line matches: a user pressing Ctrl+C at a known moment.</summary>
    private sealed class TriggerWriter(Func<string, bool> matches, Action action) : StringWriter(CultureInfo.InvariantCulture)
    {
        private bool _fired;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (!_fired && value is not null && matches(value))
            {
                _fired = true;
                action();
            }
        }
    }
}
