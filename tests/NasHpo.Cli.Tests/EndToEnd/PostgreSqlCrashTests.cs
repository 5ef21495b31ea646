using System.Text.Json;
using static NasHpo.Cli.Tests.EndToEnd.KillLoop;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// The real `nashpo` on a PostgreSQL journal (a database of the test's own on the NASHPO_TEST_POSTGRES server):
/// status and report read it, and a study killed with SIGKILL and resumed ends identical to an uninterrupted run on
/// SQLite, so the journal chosen changes nothing a study records.
/// </summary>
public sealed class PostgreSqlCrashTests : IDisposable
{
    private const int Evaluations = 40;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-postgres-");
    private readonly ScratchPostgreSqlDatabase? _database;

    public PostgreSqlCrashTests()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable)))
        {
            _database = ScratchPostgreSqlDatabase.Create();
        }
    }

    private ScratchPostgreSqlDatabase Database => _database ?? throw new InvalidOperationException($"{PostgreSqlFactAttribute.Variable} is not set");

    // As CrashRecoveryTests' study, shorter: 60 ms per evaluation at the full budget, so kills land mid-study.
    private static string Study => $$"""
        study {
          seed = 12
          devices = 1
          problem { type = zdt1, dimensions = 5, delay = 60ms }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = {{Evaluations}} }
        }
        """;

    public void Dispose()
    {
        _database?.Dispose();
        _directory.Delete(recursive: true);
    }

    [PostgreSqlFact]
    public async Task Status_and_report_read_a_study_run_on_postgresql()
    {
        var file = Path.Combine(_directory.FullName, "tiny.conf");
        await File.WriteAllTextAsync(file, "study {\n  seed = 3\n  problem { type = zdt1, dimensions = 3 }\n  optimizer { type = random, max-budget = 1 }\n  stop { max-evaluations = 12 }\n}\n");

        var run = CliHarness.Run("run", file, "--db", Database.Url, "--study-id", "tiny");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        Assert.Contains($"study tiny started in {Database.Url}", run.Stdout, StringComparison.Ordinal);

        var list = CliHarness.Run("status", "--db", Database.ConnectionString);
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.StartsWith("tiny: finished (max-evaluations), 12 completed, 0 failed", Assert.Single(list.StdoutLines), StringComparison.Ordinal);

        var status = CliHarness.Run("status", "tiny", "--db", Database.Url, "--json");
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            Assert.Equal(12, json.RootElement.GetProperty("evaluations").GetInt32());
            Assert.Equal("finished", json.RootElement.GetProperty("state").GetString());
        }

        var output = Path.Combine(_directory.FullName, "report");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("report", "tiny", "--db", Database.Url, "--out", output).ExitCode);
        Assert.Equal(13, File.ReadAllLines(Path.Combine(output, "trials.csv")).Length);
        Assert.True(Convert.ToInt64(Database.Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'study-tiny'"), System.Globalization.CultureInfo.InvariantCulture) >= 24, "the ledger is in PostgreSQL");
    }

    [PostgreSqlFact]
    public async Task A_training_study_on_postgresql_without_a_checkpoint_directory_is_refused_before_it_is_written()
    {
        var file = Path.Combine(_directory.FullName, "training.conf");
        await File.WriteAllTextAsync(file, """
            study {
              problem { type = fashion-mnist, train-subset = 64 }
              search-space {
                conv_layers { type = int, lower = 1, upper = 1 }
                filters_1 { type = int, lower = 4, upper = 4 }
                kernel_1 { type = categorical, choices = [3] }
                batch_norm_1 { type = categorical, choices = [false] }
                global_avg_pooling { type = categorical, choices = [false] }
                fc_layers { type = int, lower = 1, upper = 1 }
                units_1 { type = int, lower = 8, upper = 8 }
                learning_rate { type = float, lower = 0.01, upper = 0.01 }
                batch_size { type = int, lower = 32, upper = 32 }
              }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = 1 }
            }
            """);

        var refused = CliHarness.Run("run", file, "--db", Database.Url, "--study-id", "trains");

        Assert.Equal(ExitCodes.UserError, refused.ExitCode);
        Assert.Equal("nashpo: study \"trains\" trains networks and a PostgreSQL journal keeps no checkpoints next to it: pass --checkpoints DIR", Assert.Single(refused.StderrLines));
        Assert.Equal("[]", CliHarness.Run("status", "--db", Database.Url, "--json").Stdout.Trim());
    }

    [PostgreSqlFact]
    public async Task A_study_on_postgresql_killed_and_resumed_ends_identical_to_an_uninterrupted_run_on_sqlite()
    {
        var studyFile = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(studyFile, Study);

        var clean = Directory.CreateDirectory(Path.Combine(_directory.FullName, "clean")).FullName;
        var run = await NashpoProcess.RunAsync(clean, Limit, "run", studyFile, "--study-id", "s");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(0, (await NashpoProcess.RunAsync(clean, Limit, "report", "s", "--out", "report")).ExitCode);

        var crashed = Directory.CreateDirectory(Path.Combine(_directory.FullName, "crashed")).FullName;
        var outcome = await KillLoop.RunAsync(crashed, studyFile, "s", Evaluations, midStudyKills: 2, maxAttempts: 16, seed: 20261123, Limit, "--db", Database.Url);

        Assert.True(outcome.MidStudyKills >= 2, outcome.Describe());
        Assert.True(outcome.Final.ExitCode == 0, outcome.Final.Stderr + outcome.Final.Stdout);
        Assert.Equal(0, (await NashpoProcess.RunAsync(crashed, Limit, "report", "s", "--db", Database.Url, "--out", "report")).ExitCode);
        Assert.False(File.Exists(Path.Combine(crashed, CommonOptionsDefaultDatabase)), "the crashed runs wrote to PostgreSQL, not to a SQLite file");

        var expected = WithoutTimingColumns(Path.Combine(clean, "report", "trials.csv"));
        var actual = WithoutTimingColumns(Path.Combine(crashed, "report", "trials.csv"));
        Assert.Equal(Evaluations + 1, expected.Length);
        Assert.Equal(expected, actual);
        Assert.Equal(
            WithoutTimingColumns(Path.Combine(clean, "report", "pareto.csv")),
            WithoutTimingColumns(Path.Combine(crashed, "report", "pareto.csv")));
    }

    private const string CommonOptionsDefaultDatabase = NasHpo.Cli.Engine.CommonOptions.DefaultDatabase;
}
