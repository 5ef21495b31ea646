using System.Globalization;

namespace NasHpo.Cli.Tests;

/// <summary>
/// Results of the commands on good input. These call the real Pareto code (Hypervolume.Compute,
/// NonDominatedSorting.FirstFront) and fail while that code is still a contract stub.
/// </summary>
public sealed class CommandTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Hypervolume_of_two_points()
    {
        var path = _harness.Write("points.csv", "f1,f2\n1,2\n2,1\n");
        var result = CliHarness.Run("hypervolume", path, "--ref", "3,3");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Equal(["3"], result.StdoutLines);
    }

    [Fact]
    public void Hypervolume_ignores_points_beyond_the_reference_and_reads_stdin()
    {
        var result = CliHarness.RunWithInput("# run 1\n0.5,0.5\n\n2,0.1\n0.1,1\n", "hypervolume", "-", "--ref", "1,1");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(0.25, double.Parse(Assert.Single(result.StdoutLines), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Hypervolume_is_printed_round_trip()
    {
        var result = CliHarness.RunWithInput("0.1,0.2,0.3\n", "hypervolume", "-", "--ref", "1,1,1");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var expected = (1 - 0.1) * (1 - 0.2) * (1 - 0.3);
        Assert.Equal(expected, double.Parse(Assert.Single(result.StdoutLines), CultureInfo.InvariantCulture), 1e-15);
    }

    [Fact]
    public void Pareto_prints_the_header_and_the_non_dominated_rows_as_written_in_input_order()
    {
        var path = _harness.Write(
            "points.csv",
            "# a comment\nerror , params\n0.30, 1000\n0.20 ,2000\n0.25,2500\n0.10,  9000\n0.30,1000\n");
        var result = CliHarness.Run("pareto", path);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);

        // 0.25,2500 is dominated by 0.20,2000; the duplicate of the first row dominates nothing and is not dominated.
        Assert.Equal(["error , params", "0.30, 1000", "0.20 ,2000", "0.10,  9000", "0.30,1000"], result.StdoutLines);
    }

    [Fact]
    public void Pareto_reads_stdin_without_a_header()
    {
        var result = CliHarness.RunWithInput("3,3\n1,2\n2,1\n", "pareto", "-");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["1,2", "2,1"], result.StdoutLines);
    }
}
