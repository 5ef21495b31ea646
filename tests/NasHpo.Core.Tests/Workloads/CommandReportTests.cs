using NasHpo.Core.Workloads.Command;

namespace NasHpo.Core.Tests.Workloads;

/// <summary>The report lines a trial's program prints behind NASHPO_REPORT.</summary>
public sealed class CommandReportTests
{
    [Fact]
    public void A_report_line_gives_its_numbers()
    {
        var values = CommandReport.Parse("NASHPO_REPORT {\"epoch\": 3, \"val-error\": 0.21, \"note\": \"text\", \"flag\": true}")!;

        Assert.Equal(2, values.Count);
        Assert.Equal(3, values["epoch"]);
        Assert.Equal(0.21, values["val-error"]);
    }

    [Theory]
    [InlineData("epoch 3: loss 0.2")]
    [InlineData("NASHPO_REPORT{\"a\": 1}")]
    [InlineData(" NASHPO_REPORT {\"a\": 1}")]
    public void Other_lines_are_not_reports(string line) => Assert.Null(CommandReport.Parse(line));

    [Fact]
    public void Pythons_bare_NaN_and_Infinity_are_the_numbers_they_mean()
    {
        // json.dumps({"loss": float("nan"), "a": float("inf"), "b": -float("inf")})
        var values = CommandReport.Parse("NASHPO_REPORT {\"loss\": NaN, \"a\": Infinity, \"b\": -Infinity, \"c\": [1]}")!;

        Assert.True(double.IsNaN(values["loss"]));
        Assert.Equal(double.PositiveInfinity, values["a"]);
        Assert.Equal(double.NegativeInfinity, values["b"]);
        Assert.False(values.ContainsKey("c"));
    }

    [Theory]
    [InlineData("NASHPO_REPORT {\"loss\": ")]
    [InlineData("NASHPO_REPORT [1, 2]")]
    [InlineData("NASHPO_REPORT loss=1")]
    public void A_broken_report_is_an_error_that_quotes_it(string line)
    {
        var error = Assert.Throws<FormatException>(() => CommandReport.Parse(line));
        Assert.Contains("NASHPO_REPORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_x_of_a_report_is_its_epoch_or_step_else_its_position()
    {
        Assert.Equal(4, CommandReport.StepOf(new Dictionary<string, double> { ["epoch"] = 4, ["step"] = 100 }, 1));
        Assert.Equal(100, CommandReport.StepOf(new Dictionary<string, double> { ["step"] = 100 }, 1));
        Assert.Equal(2, CommandReport.StepOf(new Dictionary<string, double> { ["loss"] = 1 }, 2));
    }
}
