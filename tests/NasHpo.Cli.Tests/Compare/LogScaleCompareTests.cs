using System.Globalization;
using NasHpo.Analysis.Comparison;
using NasHpo.Configuration;
using NasHpo.Core.Pareto;

namespace NasHpo.Cli.Tests.Compare;

/// <summary><c>nashpo compare</c> on a study with a log-scale objective: log axes, log10 hypervolume, raw CSV values beside their log10.</summary>
public sealed class LogScaleCompareTests : IDisposable
{
    private const string Study = """
        study {
          name = zdt1-log
          seed = 1
          problem { type = zdt1, dimensions = 3 }
          objectives = [
            { name = f1 }
            { name = f2, scale = log }
          ]
          optimizer { type = random, min-budget = 3, max-budget = 3 }
          stop { max-evaluations = 16 }
        }

        """;

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void A_log_scale_objective_is_plotted_on_a_log_axis_and_its_hypervolume_taken_on_log10_values()
    {
        var file = _harness.Write("zdt1-log.conf", Study);
        Assert.Equal([false, true], ComparisonReport.PlotObjectives(StudyDefinitionReader.Load(file, [])).Select(o => o.Logarithmic));

        var output = Path.Combine(_harness.Directory, "compare");
        var result = CliHarness.Run("compare", file, "--optimizers", "random", "--seeds", "1", "--out", output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Stderr);

        var samples = File.ReadAllLines(Path.Combine(output, "samples.csv"));
        Assert.Equal("method,seed,evaluation,budget,at_max_budget,f1,f2,log10(f2)", samples[0]);
        Assert.Equal(samples[0].Replace("budget,at_max_budget,", string.Empty, StringComparison.Ordinal), File.ReadAllLines(Path.Combine(output, "pareto-front.csv"))[0]);
        var points = samples[1..].Select(row => row.Split(',')[5..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(16, points.Length);
        Assert.All(points, p => Assert.Equal(Math.Log10(p[1]), p[2], 12));

        var expected = Hypervolume.Compute(points.Select(p => new[] { p[0], p[2] }).ToArray(), [1.1, Math.Log10(11)]);
        var traces = File.ReadAllLines(Path.Combine(output, "traces.csv"));
        Assert.Equal(expected, double.Parse(traces[^1].Split(',')[^1], CultureInfo.InvariantCulture), 9);
        Assert.Contains("computed on log10(f2)", File.ReadAllText(Path.Combine(output, "summary.md")), StringComparison.Ordinal);
    }
}
