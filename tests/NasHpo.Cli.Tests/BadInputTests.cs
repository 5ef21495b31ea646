namespace NasHpo.Cli.Tests;

/// <summary>Every kind of bad input ends with exit code 2 and one line on stderr that says what and where.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData("f1,f2\n1,2\n3,4,5\n", "line 3: expected 2 values, found 3")]
    [InlineData("1,2\n\n# a comment\n3\n", "line 4: expected 2 values, found 1")]
    [InlineData("f1,f2\n1,2\n3,abc\n", "line 3: column 2 (f2) is not a number: 'abc'")]
    [InlineData("1,2\n3,abc\n", "line 2: column 2 is not a number: 'abc'")]
    [InlineData("1,2\n3,4\n5,\n", "line 3: column 2 is empty")]
    [InlineData("error,params\n0.1,NaN\n", "line 2: column 2 (params) is not a finite number: 'NaN'")]
    [InlineData("1,2\n-Infinity,4\n", "line 2: column 1 is not a finite number: '-Infinity'")]
    [InlineData("1,2\n1e400,4\n", "line 2: column 1 is not a finite number: '1e400'")]
    [InlineData("1,2\n1,5 0\n", "line 2: column 2 is not a number: '5 0'")]
    public void Malformed_rows_name_the_line_and_the_problem(string content, string expected)
    {
        var path = _harness.Write("points.csv", content);
        foreach (var args in new[] { new[] { "pareto", path }, new[] { "hypervolume", path, "--ref", "10,10" } })
        {
            var result = CliHarness.Run(args);
            AssertUserError(result, $"{path} {expected}");
        }
    }

    [Theory]
    [InlineData("", "no points (the input is empty)")]
    [InlineData("\n  \n# only comments\n", "no points (the input is empty)")]
    [InlineData("# results\nf1,f2\n\n", "no points after the header on line 2")]
    public void Inputs_without_points_are_user_errors(string content, string expected)
    {
        var path = _harness.Write("empty.csv", content);
        AssertUserError(CliHarness.Run("pareto", path), $"{path}: {expected}");
        AssertUserError(CliHarness.Run("hypervolume", path, "--ref", "1,1"), $"{path}: {expected}");
    }

    [Fact]
    public void A_missing_file_is_a_user_error()
    {
        var path = Path.Combine(_harness.Directory, "missing.csv");
        AssertUserError(CliHarness.Run("pareto", path), $"{path}: no such file");
        AssertUserError(CliHarness.Run("hypervolume", path, "--ref", "1,1"), $"{path}: no such file");
    }

    [Fact]
    public void A_missing_directory_is_a_user_error()
    {
        var path = Path.Combine(_harness.Directory, "nowhere", "points.csv");
        AssertUserError(CliHarness.Run("pareto", path), $"{path}: no such file or directory");
    }

    [Fact]
    public void A_directory_instead_of_a_file_is_a_user_error()
    {
        var result = CliHarness.Run("pareto", _harness.Directory);
        AssertUserError(result, _harness.Directory + ": is a directory, not a file");
    }

    [Fact]
    public void Bad_rows_on_standard_input_name_stdin()
    {
        AssertUserError(CliHarness.RunWithInput("1,2\n3,4,5\n", "pareto", "-"), "stdin line 2: expected 2 values, found 3");
    }

    [Theory]
    [InlineData("1,2,3", "--ref has 3 values, but {0} line 2 has 2 columns")]
    [InlineData("1", "--ref has 1 values, but {0} line 2 has 2 columns")]
    [InlineData("1,x", "--ref: value 2 is not a number: 'x'")]
    [InlineData("1,NaN", "--ref: value 2 is not a finite number: 'NaN'")]
    [InlineData("1,", "--ref: value 2 is empty")]
    [InlineData(" ", "--ref is empty")]
    public void A_bad_reference_is_a_user_error(string reference, string expected)
    {
        var path = _harness.Write("points.csv", "# objectives\nf1,f2\n1,2\n");
        AssertUserError(CliHarness.Run("hypervolume", path, "--ref", reference), string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, path));
    }

    [Fact]
    public void A_missing_reference_option_is_a_user_error()
    {
        var path = _harness.Write("points.csv", "1,2\n");
        AssertUserError(CliHarness.Run("hypervolume", path), "--ref");
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate'")]
    [InlineData(new[] { "pareto" }, "Required argument missing")]
    [InlineData(new[] { "pareto", "a.csv", "b.csv" }, "'b.csv'")]
    public void Usage_mistakes_are_one_line_with_exit_code_2(string[] args, string expected)
    {
        AssertUserError(CliHarness.Run(args), expected);
    }

    private static void AssertUserError(CliResult result, string expected)
    {
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
