using System.Globalization;
using System.Text.Json;
using NasHpo.Core.Pareto;

namespace NasHpo.Cli.Tests;

/// <summary>
/// An objective declared with <c>scale = log</c>, end to end through the engine: the archive's hypervolume (which
/// <c>status</c> and <c>report</c> show) is computed on log10 values against log10 of the reference point, the CSV
/// files keep the measured values with a <c>log10(name)</c> column beside them, and a value a log cannot take fails
/// the trial with the reason.
/// </summary>
public sealed class LogScaleReportTests : IDisposable
{
    // 3-D ZDT1 by random search at the full budget (no low-budget noise), f2 on a log scale, reference (1.1, 11).
    private const string LogStudy = """
        study {
          seed = 5
          problem { type = zdt1, dimensions = 3 }
          objectives = [
            { name = f1 }
            { name = f2, scale = log }
          ]
          reference-point = [1.1, 11]
          optimizer { type = random, min-budget = 3, max-budget = 3 }
          stop { max-evaluations = 20 }
        }

        """;

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private string Database => Path.Combine(_harness.Directory, "log.db");

    [Fact]
    public void The_hypervolume_uses_log10_values_and_the_csv_files_keep_the_measured_ones()
    {
        var run = CliHarness.Run("run", _harness.Write("log.conf", LogStudy), "--db", Database, "--study-id", "log");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);

        var output = Path.Combine(_harness.Directory, "report");
        var report = CliHarness.Run("report", "log", "--db", Database, "--out", output);
        Assert.True(report.ExitCode == ExitCodes.Success, report.Stderr);

        var rows = File.ReadAllLines(Path.Combine(output, "trials.csv"));
        var header = rows[0].Split(',');
        var (f1, f2, logF2) = (Array.IndexOf(header, "f1"), Array.IndexOf(header, "f2"), Array.IndexOf(header, "log10(f2)"));
        Assert.Equal(f2 + 1, logF2);
        var measured = rows[1..].Select(row => row.Split(',')).Select(cells => (
            F1: double.Parse(cells[f1], CultureInfo.InvariantCulture),
            F2: double.Parse(cells[f2], CultureInfo.InvariantCulture),
            LogF2: double.Parse(cells[logF2], CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(20, measured.Length);

        // The raw column holds ZDT1's f2 itself (above 1 somewhere on 3-D ZDT1 away from the front), the log column
        // its log10.
        Assert.Contains(measured, m => m.F2 > 1);
        Assert.All(measured, m => Assert.Equal(Math.Log10(m.F2), m.LogF2, 12));

        var onLog = Hypervolume.Compute(measured.Select(m => new[] { m.F1, m.LogF2 }).ToArray(), [1.1, Math.Log10(11)]);
        var onRaw = Hypervolume.Compute(measured.Select(m => new[] { m.F1, m.F2 }).ToArray(), [1.1, 11]);
        var history = File.ReadAllLines(Path.Combine(output, "hypervolume.csv"))[1..];
        var final = double.Parse(history[^1].Split(',')[2], CultureInfo.InvariantCulture);
        Assert.Equal(onLog, final, 9);
        Assert.True(Math.Abs(onRaw - final) > 0.1, $"the raw-value hypervolume {onRaw} is too close to the log one {final} for this test to tell them apart");

        var status = CliHarness.Run("status", "log", "--db", Database, "--json");
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            Assert.Equal(onLog, json.RootElement.GetProperty("hypervolume").GetDouble(), 9);
        }

        using (var study = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "study.json"))))
        {
            var root = study.RootElement;
            Assert.Equal([1.1, 11.0], root.GetProperty("referencePoint").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal([1.1, Math.Log10(11)], root.GetProperty("hypervolumeReferencePoint").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal("log", root.GetProperty("objectives")[1].GetProperty("scale").GetString());
        }

        // The Pareto front is the same on either scale (log10 keeps the order of values); pareto.csv has the same columns.
        var pareto = File.ReadAllLines(Path.Combine(output, "pareto.csv"));
        Assert.Equal(rows[0], pareto[0]);
        var front = NonDominatedSorting.FirstFront(measured.Select(m => new[] { m.F1, m.F2 }).ToArray());
        Assert.Equal(front.Length, pareto.Length - 1);
    }

    [Fact]
    public void A_non_positive_value_of_a_log_objective_fails_the_trial_with_the_reason()
    {
        // x0 is f1 on ZDT1: half the configurations have f1 = 0, which log10 cannot take.
        var study = LogStudy
            .Replace("{ name = f1 }", "{ name = f1, scale = log }", StringComparison.Ordinal)
            .Replace("reference-point = [1.1, 11]", """
                reference-point = [1.1, 11]
                  search-space {
                    x0 { type = ordinal, choices = [0, 0.5] }
                    x1 { type = float, lower = 0, upper = 1 }
                    x2 { type = float, lower = 0, upper = 1 }
                  }
                """, StringComparison.Ordinal);
        var run = CliHarness.Run("run", _harness.Write("zero.conf", study), "--db", Database, "--study-id", "zero");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);

        var output = Path.Combine(_harness.Directory, "zero-report");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("report", "zero", "--db", Database, "--out", output).ExitCode);
        var rows = File.ReadAllLines(Path.Combine(output, "trials.csv"));
        var header = rows[0].Split(',');
        var (x0, status, failure) = (Array.IndexOf(header, "x0"), Array.IndexOf(header, "status"), Array.IndexOf(header, "failure"));
        var trials = rows[1..].Select(SplitCsv).ToArray();
        Assert.Contains(trials, cells => cells[x0] == "0");
        Assert.Contains(trials, cells => cells[x0] == "0.5");
        Assert.All(trials, cells =>
        {
            Assert.Equal(cells[x0] == "0" ? "failed" : "completed", cells[status]);
            if (cells[x0] == "0")
            {
                Assert.Contains("objective f1 is 0", cells[failure], StringComparison.Ordinal);
                Assert.Contains("log scale", cells[failure], StringComparison.Ordinal);
            }
        });
    }

    /// <summary>One CSV row's fields; a quoted field may hold commas (a failure reason does).</summary>
    private static string[] SplitCsv(string row)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < row.Length; i++)
        {
            var c = row[i];
            if (quoted && c == '"' && i + 1 < row.Length && row[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    [Fact]
    public void A_reference_a_log_cannot_take_is_one_line_naming_its_path()
    {
        var study = LogStudy.Replace("reference-point = [1.1, 11]", "reference-point = [1.1, 0]", StringComparison.Ordinal);
        var run = CliHarness.Run("run", _harness.Write("bad.conf", study), "--db", Database, "--study-id", "bad");
        Assert.Equal(ExitCodes.UserError, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("nashpo: ", line, StringComparison.Ordinal);
        Assert.Contains("study.reference-point[1]: ", line, StringComparison.Ordinal);
        Assert.Contains("f2", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Database) && CliHarness.Run("status", "--db", Database, "--json").Stdout.Contains("bad", StringComparison.Ordinal));
    }
}
