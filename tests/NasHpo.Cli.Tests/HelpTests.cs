namespace NasHpo.Cli.Tests;

public class HelpTests
{
    [Fact]
    public void Help_lists_the_commands_and_succeeds()
    {
        var result = CliHarness.Run("--help");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("hypervolume", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("pareto", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("compare", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }
}
