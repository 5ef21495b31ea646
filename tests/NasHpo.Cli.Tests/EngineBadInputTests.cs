using System.Globalization;
using System.Text.Json;

namespace NasHpo.Cli.Tests;

/// <summary>
/// The engine's commands (run, resume, status, report) answer every user mistake with exit code 2 and one line on
/// stderr, and a rejected study leaves nothing in the journal. Each test has its own folder and database.
/// </summary>
public sealed class EngineBadInputTests : IDisposable
{
    // Small enough to finish in about a second in-process: 15 evaluations of a 3-D ZDT1 at budgets 1 and 3.
    private const string TinyStudy = """
        study {
          seed = 3
          problem { type = zdt1, dimensions = 3 }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 3 }
          stop { max-evaluations = 15 }
        }

        """;

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private string Database => Path.Combine(_harness.Directory, "x.db");

    public static TheoryData<string, string, string> BadStudies => new()
    {
        { "study {\n  problem { type = zdt1\n  stop { max-evaluations = 3 }\n", "bad.conf:2:11", "'{' is never closed" },
        { TinyStudy + "study.reference-point = [1.1, 11\n", "bad.conf:7:25", "'[' is never closed" },
        { TinyStudy + "study.name = \"unterminated\n", "bad.conf:7:14", "unterminated string" },
        { string.Empty, "study", "missing" },
        { TinyStudy.Replace("stop { max-evaluations = 15 }", string.Empty, StringComparison.Ordinal), "study.stop", "missing" },
        { TinyStudy.Replace("problem { type = zdt1, dimensions = 3 }", string.Empty, StringComparison.Ordinal), "study.problem", "missing" },
        { TinyStudy.Replace("type = mo-bohb, ", string.Empty, StringComparison.Ordinal), "study.optimizer.type", "missing" },
        { TinyStudy + "study.optimizer.type = smac", "study.optimizer.type", "unknown optimizer \"smac\"" },
        { TinyStudy + "study.problem.type = zdt9", "study.problem.type", "unknown problem \"zdt9\"" },
        { TinyStudy + "study.optimizer.eta = 1", "study.optimizer.eta", "1 must be greater than 1" },
        { TinyStudy + "study.optimizer.min-budget = 0", "study.optimizer.min-budget", "0 must be positive" },
        { TinyStudy + "study.optimizer.min-budget = 9", "study.optimizer.max-budget", "3 is below min-budget 9" },
        { TinyStudy + "study.stop.max-evaluations = 0", "study.stop.max-evaluations", "0 is below the minimum 1" },
        { TinyStudy + "study.stop.max-wall-clock = soon", "study.stop.max-wall-clock", "\"soon\" is not a duration" },
        { TinyStudy + "study.devices = many", "study.devices", "\"many\" is not an integer" },
        { TinyStudy + "study.reference-point = [1.1]", "study.reference-point", "1 values for 2 objectives" },
        { TinyStudy + "study.problem.colour = red", "study.problem.colour", "unknown key" },
        { TinyStudy + "study.search-space { lr { type = float, lower = 1, upper = 0.1 } }", "study.search-space.lr.lower", "1" },
    };

    [Fact]
    public void An_external_study_is_refused_in_one_line_since_its_trials_are_evaluated_by_its_programs_code()
    {
        var file = _harness.Write("external.conf", """
            study {
              problem { type = external }
              objectives = [{ name = loss }]
              reference-point = [1]
              search-space { x { type = float, lower = 0, upper = 1 } }
              optimizer { type = random }
              stop { max-evaluations = 3 }
            }
            """);

        var line = AssertUserError(Nashpo("run", file, "--db", Database, "--study-id", "ext"), "study \"ext\"", "NasHpo.Study");

        Assert.Contains("problem.type = external", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadStudies))]
    public void A_bad_study_file_is_one_line_naming_the_file_and_the_path_and_writes_nothing(string content, string path, string detail)
    {
        var file = _harness.Write("bad.conf", content);
        var line = AssertUserError(Nashpo("run", file, "--db", Database, "--study-id", "bad"), path, detail);
        Assert.Contains($"{path}: {detail}", line, StringComparison.Ordinal);

        // The file is named once, with its directory: "DIR/bad.conf: study.x: ..." or "DIR/bad.conf:2:11: ...".
        Assert.StartsWith($"nashpo: {(path.StartsWith("bad.conf", StringComparison.Ordinal) ? Path.Join(_harness.Directory, path) : $"{file}: {path}")}: ", line, StringComparison.Ordinal);
        Assert.Equal(2, line.Split("bad.conf").Length);
        AssertNoStudyWritten();
    }

    [Theory]
    [InlineData("eta", "--set", "\"eta\" is not KEY=VALUE")]
    [InlineData("=3", "--set", "is not KEY=VALUE")]
    [InlineData("reference-point=[1.1, 11", "--set", "'[' is never closed")]
    [InlineData("optimizer.eta=0.5", "study.optimizer.eta", "0.5 must be greater than 1")]
    [InlineData("study.optimizer.type=smac", "study.optimizer.type", "\"smac\"")]
    [InlineData("stop.max-evaluations=ten", "study.stop.max-evaluations", "\"ten\" is not an integer")]
    [InlineData("budget=3", "study.budget", "unknown key")]
    public void A_bad_override_is_one_line_and_writes_nothing(string assignment, string path, string detail)
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        var line = AssertUserError(Nashpo("run", file, "--db", Database, "--set", assignment), path, detail);
        Assert.Equal(path != "--set", line.Contains(file, StringComparison.Ordinal));
        AssertNoStudyWritten();
    }

    [Fact]
    public void A_missing_study_file_is_a_user_error()
    {
        AssertUserError(Nashpo("run", Path.Combine(_harness.Directory, "absent.conf"), "--db", Database), "absent.conf", "cannot read the study file");
        AssertNoStudyWritten();
    }

    [Fact]
    public void A_directory_as_the_study_file_is_a_user_error()
    {
        AssertUserError(Nashpo("run", _harness.Directory, "--db", Database), "cannot read the study file");
        AssertNoStudyWritten();
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("../up")]
    [InlineData("-dash-first")]
    [InlineData("x!")]
    public void An_invalid_study_id_is_a_user_error(string id)
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        AssertUserError(Nashpo("run", file, "--db", Database, $"--study-id={id}"), $"study id \"{id}\"");
        AssertUserError(Nashpo("resume", id, "--db", Database), $"study id \"{id}\"");
        AssertNoStudyWritten();
    }

    [Fact]
    public void An_empty_study_id_is_a_usage_error()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        AssertUserError(Nashpo("run", file, "--db", Database, "--study-id="), "--study-id");
        AssertNoStudyWritten();
    }

    [Fact]
    public void A_database_in_a_directory_that_does_not_exist_is_a_user_error()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        var database = Path.Combine(_harness.Directory, "nowhere", "x.db");
        AssertUserError(Nashpo("run", file, "--db", database), database, "does not exist");
        AssertUserError(Nashpo("resume", "tiny", "--db", database), database);
        Assert.False(Directory.Exists(Path.GetDirectoryName(database)));
    }

    [Fact]
    public void A_database_path_that_is_a_directory_is_a_user_error()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        var database = Directory.CreateDirectory(Path.Combine(_harness.Directory, "folder.db")).FullName;
        AssertUserError(Nashpo("run", file, "--db", database), database);
        AssertUserError(Nashpo("status", "--db", database), database);
        AssertUserError(Nashpo("report", "tiny", "--db", database, "--out", Path.Combine(_harness.Directory, "out")), database);
        Assert.Empty(Directory.EnumerateFileSystemEntries(database));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_a_user_error_and_is_left_alone()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        var database = _harness.Write("notes.db", "these are notes, not a database\n");
        AssertUserError(Nashpo("run", file, "--db", database), database);
        AssertUserError(Nashpo("status", "--db", database), database);
        AssertUserError(Nashpo("report", "tiny", "--db", database, "--out", Path.Combine(_harness.Directory, "out")), database);
        AssertUserError(Nashpo("resume", "tiny", "--db", database), database);
        Assert.Equal("these are notes, not a database\n", File.ReadAllText(database));
    }

    [Fact]
    public void An_empty_database_file_has_no_studies()
    {
        var database = _harness.Write("empty.db", string.Empty);
        var list = Nashpo("status", "--db", database, "--json");
        Assert.True(list.ExitCode == ExitCodes.Success, list.Stderr);
        Assert.Equal("[]", list.Stdout.Trim());
        AssertUserError(Nashpo("status", "tiny", "--db", database), "no study \"tiny\"");
        AssertUserError(Nashpo("resume", "tiny", "--db", database), "no study \"tiny\"");
    }

    [Fact]
    public void Resume_of_an_unknown_study_is_a_user_error_and_creates_no_database()
    {
        AssertUserError(Nashpo("resume", "ghost", "--db", Database), "ghost", Database);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void Status_and_report_on_a_missing_database_are_user_errors()
    {
        var output = Path.Combine(_harness.Directory, "out");
        AssertUserError(Nashpo("status", "--db", Database), "no database at", Database);
        AssertUserError(Nashpo("status", "tiny", "--db", Database, "--json"), "no database at", Database);
        AssertUserError(Nashpo("report", "tiny", "--db", Database, "--out", output), "no database at", Database);
        Assert.False(File.Exists(Database));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void An_unreachable_postgresql_server_is_one_line_naming_it_for_every_command()
    {
        // Port 1 on loopback: nothing listens, so the connection is refused at once. The password is never echoed.
        const string Server = "postgresql://nashpo:secret@127.0.0.1:1/studies";
        const string Shown = "cannot reach the PostgreSQL server of postgresql://nashpo@127.0.0.1:1/studies";
        var file = _harness.Write("tiny.conf", TinyStudy);
        foreach (var result in new[]
        {
            Nashpo("run", file, "--db", Server, "--study-id", "tiny"),
            Nashpo("resume", "tiny", "--db", Server),
            Nashpo("status", "--db", Server),
            Nashpo("report", "tiny", "--db", "Host=127.0.0.1;Port=1;Database=studies;Username=nashpo;Password=secret", "--out", Path.Combine(_harness.Directory, "out")),
        })
        {
            var line = AssertUserError(result, Shown);
            Assert.DoesNotContain("secret", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unreadable_postgresql_address_is_a_user_error_naming_the_option()
    {
        AssertUserError(Nashpo("status", "--db", "postgresql://127.0.0.1/studies?colour=red"), "--db: not a valid PostgreSQL address", "colour");
        AssertUserError(Nashpo("status", "--db", "Host=127.0.0.1;Port=many"), "--db: not a valid PostgreSQL address");
    }

    [Fact]
    public void A_finished_study_refuses_a_second_run_and_unknown_ids_and_keeps_its_journal()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        Assert.Equal(ExitCodes.Success, Nashpo("run", file, "--db", Database, "--study-id", "tiny").ExitCode);
        var before = Nashpo("status", "--db", Database, "--json").Stdout;

        var line = AssertUserError(Nashpo("run", file, "--db", Database, "--study-id", "tiny"), "\"tiny\" already exists");
        Assert.Contains($"nashpo resume tiny --db {Database}", line, StringComparison.Ordinal);

        var output = Path.Combine(_harness.Directory, "out");
        AssertUserError(Nashpo("resume", "ghost", "--db", Database), "no study \"ghost\"");
        AssertUserError(Nashpo("status", "ghost", "--db", Database), "no study \"ghost\"");
        AssertUserError(Nashpo("status", "ghost", "--db", Database, "--json"), "no study \"ghost\"");
        AssertUserError(Nashpo("report", "ghost", "--db", Database, "--out", output), "no study \"ghost\"");
        Assert.False(Directory.Exists(output));

        var bad = _harness.Write("bad.conf", TinyStudy + "study.optimizer.eta = 1");
        AssertUserError(Nashpo("run", bad, "--db", Database, "--study-id", "other"), "study.optimizer.eta");

        var existing = _harness.Write("existing-file", "keep me\n");
        AssertUserError(Nashpo("report", "tiny", "--db", Database, "--out", existing), "cannot write the report", existing);
        Assert.Equal("keep me\n", File.ReadAllText(existing));

        // Resuming a finished study is not an error: there is nothing left to do.
        var resumed = Nashpo("resume", "tiny", "--db", Database);
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Contains("already finished", resumed.Stdout, StringComparison.Ordinal);

        Assert.Equal(before, Nashpo("status", "--db", Database, "--json").Stdout);
    }

    [Fact]
    public void A_good_run_has_the_documented_status_and_report()
    {
        var file = _harness.Write("tiny.conf", TinyStudy);
        var run = Nashpo("run", file, "--db", Database, "--study-id", "tiny");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.Contains("study tiny finished", run.Stdout, StringComparison.Ordinal);

        var status = Nashpo("status", "tiny", "--db", Database, "--json");
        Assert.Equal(ExitCodes.Success, status.ExitCode);
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            var root = json.RootElement;
            Assert.Equal("tiny", root.GetProperty("studyId").GetString());
            Assert.Equal("finished", root.GetProperty("state").GetString());
            var trials = root.GetProperty("trials");
            var completed = trials.GetProperty("completed").GetInt32();
            var failed = trials.GetProperty("failed").GetInt32();
            Assert.Equal(0, trials.GetProperty("running").GetInt32());
            Assert.Equal(0, trials.GetProperty("pending").GetInt32());
            Assert.Equal(0, failed);
            Assert.Equal(completed + failed, root.GetProperty("evaluations").GetInt32());
            Assert.InRange(completed, 15, 20);
            Assert.True(root.GetProperty("hypervolume").GetDouble() > 0);
            Assert.InRange(root.GetProperty("paretoSize").GetInt32(), 1, completed);
            Assert.True(root.GetProperty("budgetSpent").GetDouble() >= completed, "every trial costs at least the minimum budget, 1");
        }

        var list = Nashpo("status", "--db", Database, "--json");
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            Assert.Equal("tiny", Assert.Single(json.RootElement.EnumerateArray()).GetProperty("studyId").GetString());
        }

        var output = Path.Combine(_harness.Directory, "report");
        var report = Nashpo("report", "tiny", "--db", Database, "--out", output);
        Assert.True(report.ExitCode == ExitCodes.Success, report.Stderr);

        var trialsCsv = File.ReadAllLines(Path.Combine(output, "trials.csv"));
        var header = trialsCsv[0].Split(',');
        Assert.Equal(["trial_id", "configuration_id", "budget"], header[..3]);
        foreach (var column in new[] { "x0", "x1", "x2", "f1", "f2", "status" })
        {
            Assert.Contains(column, header);
        }

        Assert.True(Array.IndexOf(header, "x2") < Array.IndexOf(header, "f1"));
        Assert.InRange(trialsCsv.Length - 1, 15, 20);
        var statusColumn = Array.IndexOf(header, "status");
        Assert.All(trialsCsv[1..], row => Assert.Equal("completed", row.Split(',')[statusColumn]));

        var paretoCsv = File.ReadAllLines(Path.Combine(output, "pareto.csv"));
        Assert.Equal(trialsCsv[0], paretoCsv[0]);
        Assert.NotEmpty(paretoCsv[1..]);
        Assert.All(paretoCsv[1..], row => Assert.Contains(row, trialsCsv[1..]));

        var hypervolumeCsv = File.ReadAllLines(Path.Combine(output, "hypervolume.csv"));
        Assert.Equal("evaluations,elapsed_time_s,hypervolume", hypervolumeCsv[0]);
        var history = hypervolumeCsv[1..].Select(row => double.Parse(row.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(history);
        Assert.All(history.Zip(history.Skip(1)), pair => Assert.True(pair.Item2 >= pair.Item1, $"hypervolume fell from {pair.Item1} to {pair.Item2}"));

        using (var study = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "study.json"))))
        {
            Assert.Equal("tiny", study.RootElement.GetProperty("studyId").GetString());
            Assert.Equal("tiny", study.RootElement.GetProperty("name").GetString());
            Assert.Contains("max-evaluations = 15", study.RootElement.GetProperty("definition").GetString(), StringComparison.Ordinal);

            // A synthetic trial costs its whole budget: the sum of the budget column.
            var budgetColumn = Array.IndexOf(header, "budget");
            var budgets = trialsCsv[1..].Sum(row => double.Parse(row.Split(',')[budgetColumn], CultureInfo.InvariantCulture));
            Assert.Equal(budgets, study.RootElement.GetProperty("summary").GetProperty("budgetSpent").GetDouble(), 9);
        }
    }

    [Fact]
    public void A_run_with_a_budget_limit_shows_what_it_has_spent_and_stops_there()
    {
        var file = _harness.Write("budget.conf", TinyStudy);
        var run = Nashpo("run", file, "--db", Database, "--study-id", "budget", "--set", "stop.max-budget-spent=20", "--set", "stop.max-evaluations=1000");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        Assert.Contains("study budget finished (max-budget-spent)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(run.StdoutLines, l => l.Contains("budget spent ", StringComparison.Ordinal) && l.Contains(" of 20,", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(Nashpo("status", "budget", "--db", Database, "--json").Stdout);
        // Budgets 1 and 3: the limit is passed by less than one maximum-budget trial.
        Assert.InRange(json.RootElement.GetProperty("budgetSpent").GetDouble(), 20, 22.999);
    }

    private static CliResult Nashpo(params string[] args) => CliHarness.Run(args);

    /// <summary>Exit code 2, nothing on stdout, one "nashpo: " line on stderr with each mention, no stack trace.</summary>
    private static string AssertUserError(CliResult result, params string[] mentions)
    {
        Assert.True(result.ExitCode == ExitCodes.UserError, $"exit code {result.ExitCode}; stderr: {result.Stderr}");
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: ", line, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        return line;
    }

    /// <summary>A rejected study leaves no database behind, or one whose journal lists no study.</summary>
    private void AssertNoStudyWritten()
    {
        if (!File.Exists(Database))
        {
            return;
        }

        var status = Nashpo("status", "--db", Database, "--json");
        Assert.Equal(ExitCodes.Success, status.ExitCode);
        Assert.Equal("[]", status.Stdout.Trim());
    }
}
