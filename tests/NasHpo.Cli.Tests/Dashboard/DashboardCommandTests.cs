namespace NasHpo.Cli.Tests.Dashboard;

/// <summary>`nashpo dashboard` and `serve --http` refuse bad input in one line, before listening on anything.</summary>
public sealed class DashboardCommandTests
{
    [Theory]
    [InlineData("--bind", "localhost-ish", "--bind: \"localhost-ish\" is not an IP address")]
    [InlineData("--port", "70000", "--port: 70000 is not a port number")]
    public void A_bad_address_or_port_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        using var harness = new CliHarness();
        var database = Path.Combine(harness.Directory, "studies.db");
        var run = CliHarness.Run("run", ZdtStudy(harness), "--db", database);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var result = CliHarness.Run("dashboard", "--db", database, option, value);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: " + expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_that_does_not_exist_is_refused_instead_of_created()
    {
        using var harness = new CliHarness();
        var database = Path.Combine(harness.Directory, "missing.db");

        var result = CliHarness.Run("dashboard", "--db", database, "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.db", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(database));
    }

    [Fact]
    public void A_trainer_is_refused_a_dashboard_it_could_not_fill()
    {
        var result = CliHarness.Run("serve", "--role", "trainer", "--http", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("nashpo: --http: a trainer holds no studies", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    private static string ZdtStudy(CliHarness harness)
    {
        var path = Path.Combine(harness.Directory, "zdt1.conf");
        File.WriteAllText(path, "study {\n seed = 1\n problem { type = zdt1, dimensions = 3 }\n optimizer { type = random }\n stop { max-evaluations = 5 }\n}");
        return path;
    }
}
