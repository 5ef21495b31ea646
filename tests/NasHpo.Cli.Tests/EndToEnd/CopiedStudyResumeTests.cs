using Microsoft.Data.Sqlite;
using static NasHpo.Cli.Tests.EndToEnd.KillLoop;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// One deterministic MO-BOHB study run uninterrupted (the reference) and the same study killed with SIGKILL mid-run
/// (a real `nashpo` process), left unfinished with its dead engine's lease in the journal; made once for the class.
/// </summary>
public sealed class InterruptedStudy : IAsyncLifetime
{
    public const int Evaluations = 40;
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("nashpo-copy-resume-");

    // As PostgreSqlCrashTests' study: 60 ms per evaluation at the full budget, so a kill lands mid-study.
    private static string Study => $$"""
        study {
          seed = 13
          devices = 1
          problem { type = zdt1, dimensions = 5, delay = 60ms }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = {{Evaluations}} }
        }
        """;

    /// <summary>The uninterrupted run's trials.csv and pareto.csv, without the columns that vary between runs.</summary>
    public string[] CleanTrials { get; private set; } = [];

    public string[] CleanFront { get; private set; } = [];

    /// <summary>The killed study's journal (SQLite); copy it before resuming anything.</summary>
    public string Interrupted => Path.Combine(_directory.FullName, "interrupted.db");

    public int EvaluationsAtKill { get; private set; }

    public string Directory => _directory.FullName;

    public async Task InitializeAsync()
    {
        var studyFile = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(studyFile, Study);

        var clean = Path.Combine(_directory.FullName, "clean.db");
        var run = CliHarness.Run("run", studyFile, "--study-id", "s", "--db", clean);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        (CleanTrials, CleanFront) = Report(clean, "clean-report");

        var (kills, landed, evaluationsAtKill, _) = await KillLoop.KillAsync(
            _directory.FullName, studyFile, "s", Evaluations, midStudyKills: 1, maxAttempts: 10, seed: 20261205, Limit, "--db", Interrupted);
        Assert.True(landed >= 1, $"{kills} kills, none mid-study; evaluations at each: {string.Join(", ", evaluationsAtKill)}");
        EvaluationsAtKill = evaluationsAtKill[^1];
    }

    /// <summary>Reports study "s" of <paramref name="db"/> and returns its trials.csv and pareto.csv without timing columns.</summary>
    public (string[] Trials, string[] Front) Report(string db, string name)
    {
        var output = Path.Combine(_directory.FullName, name);
        var report = CliHarness.Run("report", "s", "--db", db, "--out", output);
        Assert.True(report.ExitCode == ExitCodes.Success, report.Stderr);
        return (WithoutTimingColumns(Path.Combine(output, "trials.csv")), WithoutTimingColumns(Path.Combine(output, "pareto.csv")));
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// `nashpo copy` of a study killed mid-run (SQLite to SQLite, SQLite to PostgreSQL), then `nashpo resume` on the copy:
/// it ends with the same trials (ids, budgets, configurations, objectives) and the same Pareto front as the
/// uninterrupted run, as resuming the original does (CrashRecoveryTests). The copy takes the dead engine's lease over
/// at once, as a resume would, and leaves the original as it was.
/// </summary>
public sealed class CopiedStudyResumeTests(InterruptedStudy study) : IClassFixture<InterruptedStudy>, IDisposable
{
    private readonly ScratchPostgreSqlDatabase? _database =
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable)) ? null : ScratchPostgreSqlDatabase.Create();

    public void Dispose()
    {
        _database?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void A_study_killed_mid_run_and_copied_to_another_sqlite_file_resumes_to_the_uninterrupted_runs_trials_and_front() =>
        CopyResumeAndCompare(Path.Combine(study.Directory, $"copy-{Guid.NewGuid():N}.db"), "sqlite-copy-report");

    [PostgreSqlFact]
    public void A_study_killed_mid_run_and_copied_to_postgresql_resumes_to_the_uninterrupted_runs_trials_and_front() =>
        CopyResumeAndCompare(_database!.Url, "postgresql-copy-report");

    private void CopyResumeAndCompare(string target, string reportName)
    {
        var originalEvents = Events(study.Interrupted);

        var copy = CliHarness.Run("copy", "s", "--from", study.Interrupted, "--to", target);

        Assert.True(copy.ExitCode == ExitCodes.Success, copy.Stderr);
        var summary = Assert.Single(copy.StdoutLines);
        Assert.StartsWith($"copied study s from {study.Interrupted} to ", summary, StringComparison.Ordinal);
        Assert.Contains($"{originalEvents} events", summary, StringComparison.Ordinal);
        Assert.Contains("verified (every event identical byte for byte, the copy's journal clean)", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("seems dead", copy.Stderr, StringComparison.Ordinal);

        var resume = CliHarness.Run("resume", "s", "--db", target);
        Assert.True(resume.ExitCode == ExitCodes.Success, resume.Stderr);
        Assert.Contains($"({study.EvaluationsAtKill} evaluations recorded)", resume.Stdout, StringComparison.Ordinal);

        var (trials, front) = study.Report(target, reportName);
        Assert.Equal(InterruptedStudy.Evaluations + 1, trials.Length);
        Assert.Equal(study.CleanTrials, trials);
        Assert.Equal(study.CleanFront, front);

        // The original is untouched: the same events, no lease left behind, still unfinished.
        SqliteConnection.ClearAllPools();
        Assert.Equal(originalEvents, Events(study.Interrupted));
        Assert.Equal(0, VerifiedStudyJournal.Scalar(study.Interrupted, "SELECT count(*) FROM nashpo_study_lease"));
    }

    private static long Events(string db) => VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");
}
