using System.Globalization;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 11's "done when": a study of the PyTorch example runs end to end through the real nashpo process with
/// MO-BOHB, promoted trials continuing from their parent's checkpoint, learning curves and a Pareto front in the report. Tiny data
/// (600 training images of 16x16 pixels) keeps it to a minute or two on 2 cores.
/// </summary>
public sealed class PyTorchStudyTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-pytorch-study-");

    public void Dispose() => _directory.Delete(recursive: true);

    [PyTorchExampleFact]
    public async Task MO_BOHB_runs_the_pytorch_example_with_continuation_learning_curves_and_a_pareto_front()
    {
        var arguments = string.Join(", ", PyTorchExample.TinyData.Select(a => $"\"{a}\""));
        var study = Path.Combine(_directory.FullName, "study.conf");
        // As many trials as the first Hyperband iteration of budgets 1-9 and eta 3 (bracket 0: nine trials of 1 epoch,
        // three promoted to 3, one to 9; bracket 1: five of 3, one promoted to 9; bracket 2: three of 9). With two
        // devices the brackets interleave, so the exact mix of budgets depends on timing; promotions happen either way.
        await File.WriteAllTextAsync(study, $$"""
            study {
              seed = 3
              devices = 2
              problem {
                type = command
                command = ["{{PyTorchExample.Python}}", "train_table2.py", {{arguments}}]
                cheap-command = ["{{PyTorchExample.Python}}", "train_table2.py", "--count-params", "--image-size", "16"]
                working-dir = "{{PyTorchExample.Directory}}"
                trial-timeout = 3m
              }
              objectives = [
                { name = val-error, direction = minimize, cost = expensive }
                { name = params, direction = minimize, cost = cheap }
              ]
              reference-point = [1.0, 100000]
              search-space {
                conv_layers { type = int, lower = 1, upper = 2 }
                filters_1 { type = int, lower = 4, upper = 16, log = true }
                filters_2 { type = int, lower = 4, upper = 16, log = true, when = "conv_layers >= 2" }
                kernel_1 { type = categorical, choices = [3, 5] }
                kernel_2 { type = categorical, choices = [3, 5], when = "conv_layers >= 2" }
                batch_norm_1 { type = bool }
                batch_norm_2 { type = bool, when = "conv_layers >= 2" }
                global_avg_pooling { type = bool }
                fc_layers { type = int, lower = 1, upper = 2 }
                units_1 { type = int, lower = 8, upper = 32, log = true }
                units_2 { type = int, lower = 8, upper = 32, log = true, when = "fc_layers >= 2" }
                learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
                batch_size { type = int, lower = 32, upper = 128, log = true }
              }
              optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9, continue-from-checkpoint = true }
              stop { max-evaluations = 22 }
            }
            """);

        var run = await NashpoProcess.RunAsync(_directory.FullName, Limit, "run", study, "--study-id", "p");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var report = await NashpoProcess.RunAsync(_directory.FullName, Limit, "report", "p", "--out", "report");
        Assert.True(report.ExitCode == 0, report.Stderr);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "report", "trials.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToArray();
        string Text(string[] row, string name) => row[Array.IndexOf(header, name)];
        double Number(string[] row, string name) => double.Parse(Text(row, name), CultureInfo.InvariantCulture);

        Assert.Equal(22, rows.Length);
        Assert.All(rows, row => Assert.True(Text(row, "status") == "completed", $"{Text(row, "trial_id")}: {Text(row, "failure")}"));
        Assert.All(rows, row => Assert.InRange(Number(row, "val-error"), 0.0, 0.95));
        Assert.All(rows, row => Assert.True(Number(row, "params") > 0));
        Assert.True(rows.Count(row => Number(row, "budget") == 1) >= 9);

        // Every promoted trial continued its parent's training: it started at the parent's budget and trained only the
        // rest; a trial that began at a higher budget trained from scratch.
        var continued = rows.Where(row => Number(row, "continued") == 1).ToArray();
        Assert.True(continued.Length >= 3, $"{continued.Length} continued trials");
        Assert.All(continued, row =>
        {
            var budget = Number(row, "budget");
            Assert.Equal(budget / 3, Number(row, "start-epoch"));
            Assert.Equal(budget - (budget / 3), Number(row, "epochs-trained"));
        });
        Assert.All(rows.Except(continued), row => Assert.Equal(0, Number(row, "start-epoch")));

        // Learning curves: the highest continued trial's validation error at the epochs it trained itself (after its
        // parent's budget), in order, the last one its objective.
        var curves = (await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "report", "curves.csv"))).Skip(1).Select(line => line.Split(',')).ToArray();
        var nine = continued.OrderByDescending(row => Number(row, "budget")).First();
        var top = Number(nine, "budget");
        var validation = curves.Where(c => c[0] == Text(nine, "trial_id") && c[4] == "val-error").ToArray();
        Assert.Equal(Enumerable.Range((int)(top / 3) + 1, (int)(top - (top / 3))).Select(e => (double)e), validation.Select(c => double.Parse(c[3], CultureInfo.InvariantCulture)));
        Assert.Equal(Number(nine, "val-error"), double.Parse(validation[^1][5], CultureInfo.InvariantCulture), 9);
        Assert.Contains(curves, c => c[0] == Text(nine, "trial_id") && c[4] == "train-loss");

        // A Pareto front of completed trials.
        var front = await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "report", "pareto.csv"));
        Assert.InRange(front.Length - 1, 1, 22);
    }
}
