using System.IO.Compression;
using NasHpo.Cli.Tabular;
using NasHpo.Configuration.Tabular;
using NasHpo.Tests.Shared;

namespace NasHpo.Cli.Tests.Tabular;

/// <summary><c>nashpo tabular generate</c> with real training (tiny), its resume, and <c>tabular info</c> and <c>compare</c> on the shipped table.</summary>
public sealed class TabularCommandTests
{
    private static readonly string SmallStudy = Path.Combine(AppContext.BaseDirectory, "studies", "fashion-mnist-tabular-small.conf");

    private const string Space = """
        search-space {
          conv_layers { type = int, lower = 1, upper = 2 }
          filters { type = ordinal, choices = [4] }
          kernel { type = ordinal, choices = [3] }
          batch_norm { type = bool }
          global_avg_pooling { type = bool }
          fc_layers { type = int, lower = 1, upper = 1 }
          units { type = ordinal, choices = [8] }
          learning_rate { type = ordinal, choices = [0.003] }
        }
        """;

    private static string[] Generate(string space, string output) =>
        ["tabular", "generate", space, "--out", output, "--limit", "2", "--epochs", "2", "--image-size", "8", "--train-subset", "200", "--validation-subset", "100", "--test-subset", "100", "--threads", "1"];

    [RealFashionMnistFact]
    public void Generate_trains_every_epoch_of_each_configuration_and_resumes_without_retraining_what_it_has()
    {
        using var harness = new CliHarness();
        var space = harness.Write("space.conf", Space);
        var output = Path.Combine(harness.Directory, "table.jsonl.gz");
        var first = CliHarness.Run(Generate(space, output));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.False(File.Exists(TabularGenerator.WorkFile(output)));
        var table = TabularTableFile.Read(output, "test");
        Assert.Equal(2, table.Configurations.Count);
        Assert.Equal(2, table.MaxEpoch);
        Assert.All(table.Runs, run =>
        {
            Assert.Equal(2, run.Curves["val-error"].Count);
            Assert.All(run.Curves["val-error"], v => Assert.InRange(v, 0.0, 1.0));
            Assert.True(run.Fixed["params"] > 0 && run.Fixed["flops"] > 0);
        });

        // A kill mid-way: the work file holds the header, the first run and half a line. The rerun keeps the first run
        // (the very same recorded seconds: not retrained) and trains the second again.
        var lines = new List<string>();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(output), CompressionMode.Decompress)))
        {
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        File.WriteAllText(TabularGenerator.WorkFile(output), lines[0] + "\n" + lines[1] + "\n" + lines[2][..(lines[2].Length / 2)]);
        File.Delete(output);
        var second = CliHarness.Run(Generate(space, output));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("1 runs already in", second.Stdout, StringComparison.Ordinal);
        var resumed = TabularTableFile.Read(output, "test");
        var kept = resumed.Runs.First();
        Assert.Equal(table.Runs.First().Curves["train-s"], kept.Curves["train-s"]);
        Assert.Equal(2, resumed.Configurations.Count);
    }

    [Fact]
    public void Generate_refuses_a_space_with_a_float_and_a_work_file_of_other_settings_in_one_line()
    {
        using var harness = new CliHarness();
        var floats = harness.Write("floats.conf", "search-space { learning_rate { type = float, lower = 0.001, upper = 0.1 } }");
        var result = CliHarness.Run(Generate(floats, Path.Combine(harness.Directory, "t.jsonl.gz")));
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Contains("learning_rate", Assert.Single(result.StderrLines), StringComparison.Ordinal);

        var space = harness.Write("space.conf", Space);
        var output = Path.Combine(harness.Directory, "table.jsonl.gz");
        File.WriteAllText(TabularGenerator.WorkFile(output), """{"format":"nashpo-tabular","version":1,"max-epoch":5,"settings":{},"space":"search-space { x { type = bool } }"}""" + "\n");
        var mismatch = CliHarness.Run(Generate(space, output));
        Assert.Equal(ExitCodes.UserError, mismatch.ExitCode);
        Assert.Contains("other settings", Assert.Single(mismatch.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Info_prints_the_tables_size_and_true_front()
    {
        var result = CliHarness.Run("tabular", "info", SmallStudy);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("48 configurations x 2 seed(s), 96 runs, epochs 1..9", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("true front at epoch 9", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_on_a_table_gives_regret_and_hypervolume_at_equal_epochs()
    {
        using var harness = new CliHarness();
        var output = Path.Combine(harness.Directory, "compare");
        var result = CliHarness.Run("compare", SmallStudy, "--optimizers", "random,mo-bohb", "--seeds", "2", "--out", output, "--set", "stop.max-budget-spent=45");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = File.ReadAllLines(Path.Combine(output, "tabular-summary.csv"));
        Assert.Equal(3, summary.Length);
        foreach (var row in summary.Skip(1))
        {
            var regret = double.Parse(row.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
            // The true front bounds what any run can find.
            Assert.True(regret >= -1e-9, row);
        }

        Assert.True(File.Exists(Path.Combine(output, "regret-budget.csv")));
        Assert.Contains("regret", File.ReadAllText(Path.Combine(output, "tabular-summary.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_of_a_single_objective_study_writes_its_curves_and_regret_without_objective_space_plots()
    {
        // BOHB is single-objective (paper 000): judging it on its own objective needs a one-objective comparison,
        // which once ended in an internal error when it came to draw the (two-dimensional) front.
        using var harness = new CliHarness();
        var output = Path.Combine(harness.Directory, "compare");
        var result = CliHarness.Run(
            "compare", SmallStudy, "--optimizers", "random,bohb", "--seeds", "2", "--out", output,
            "--set", "stop.max-budget-spent=45", "--set", "objectives=[{ name = val-error, cost = expensive }]");
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Contains("no objective-space plots", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "hypervolume-budget.png")));
        Assert.False(File.Exists(Path.Combine(output, "pareto-front.png")));
        var summary = File.ReadAllLines(Path.Combine(output, "tabular-summary.csv"));
        Assert.Equal(3, summary.Length);
        foreach (var row in summary.Skip(1))
        {
            // One objective: the hypervolume is the reference error less the best error found, and the true front
            // (the best error in the table) bounds it.
            var regret = double.Parse(row.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(regret >= -1e-9, row);
        }
    }
}
