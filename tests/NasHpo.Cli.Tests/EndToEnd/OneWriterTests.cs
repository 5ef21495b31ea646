using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// One writer per study, with real processes: two engines started together on one study (SQLite and PostgreSQL),
/// one runs and the other is refused in one line naming the holder; a holder killed with SIGKILL is taken over by the
/// next `resume` at once; a frozen holder (SIGSTOP) on PostgreSQL is taken over when its lease expires, and when it
/// is continued it stops by itself and nothing it does reaches the journal.
/// </summary>
public sealed partial class OneWriterTests : IDisposable
{
    private const int Evaluations = 60;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    // nashpo.lease in hocon/nashpo.conf: a silent holder is taken over within its time-to-live.
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(20);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-one-writer-");
    private readonly ITestOutputHelper _output;
    private readonly ScratchPostgreSqlDatabase? _database;

    public OneWriterTests(ITestOutputHelper output)
    {
        _output = output;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable)))
        {
            _database = ScratchPostgreSqlDatabase.Create();
        }
    }

    private ScratchPostgreSqlDatabase Database => _database ?? throw new InvalidOperationException($"{PostgreSqlFactAttribute.Variable} is not set");

    // Random search, one device, 150 ms per evaluation: about 10 s of work, long enough for a second engine to arrive.
    private string StudyFile()
    {
        var file = Path.Combine(_directory.FullName, "study.conf");
        File.WriteAllText(file, $$"""
            study {
              seed = 5
              devices = 1
              problem { type = zdt1, dimensions = 4, delay = 150ms }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = {{Evaluations}} }
            }
            """);
        return file;
    }

    public void Dispose()
    {
        _database?.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public Task Two_engines_started_together_on_one_sqlite_study_one_runs_and_the_other_is_refused_naming_the_holder() =>
        TwoEnginesTogetherAsync(Path.Combine(_directory.FullName, "journal.db"));

    [PostgreSqlFact]
    public Task Two_engines_started_together_on_one_postgresql_study_one_runs_and_the_other_is_refused_naming_the_holder() =>
        TwoEnginesTogetherAsync(Database.Url);

    [Fact]
    public async Task A_holder_killed_with_sigkill_is_taken_over_by_the_next_resume_at_once()
    {
        var db = Path.Combine(_directory.FullName, "journal.db");
        using (var holder = NashpoProcess.Start(_directory.FullName, "run", StudyFile(), "--study-id", "k", "--db", db))
        {
            await holder.StudyStarted.WaitAsync(Limit);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(holder.HasExited, "the study finished before it could be killed");
            holder.Kill();
        }

        Assert.Equal("k", ReadSqliteLeaseHolderStudy(db));
        var clock = Stopwatch.StartNew();
        using var resume = NashpoProcess.Start(_directory.FullName, "resume", "k", "--db", db);
        await resume.StudyStarted.WaitAsync(Limit);
        _output.WriteLine($"from the kill to the resumed study running: {clock.Elapsed.TotalSeconds:F1} s");
        var (exitCode, _, stderr) = await resume.WaitAsync(Limit);
        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.DoesNotContain("seems dead", stderr, StringComparison.Ordinal);
        await AssertEveryEvaluationOnceAsync("k", db);
        Assert.Null(ReadSqliteLeaseHolderStudy(db));
    }

    [PostgreSqlFact]
    public async Task A_frozen_holder_on_postgresql_is_taken_over_when_its_lease_expires_and_stops_without_writing_when_continued()
    {
        var db = Database.Url;
        using var holder = NashpoProcess.Start(_directory.FullName, "run", StudyFile(), "--study-id", "f", "--db", db);
        await holder.StudyStarted.WaitAsync(Limit);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(holder.HasExited, "the study finished before it could be frozen");
        holder.Signal("STOP");
        var clock = Stopwatch.StartNew();
        try
        {
            using var resume = NashpoProcess.Start(_directory.FullName, "resume", "f", "--db", db);
            await resume.StudyStarted.WaitAsync(Limit);
            var takeOver = clock.Elapsed;
            _output.WriteLine($"from the freeze to the resumed study running: {takeOver.TotalSeconds:F1} s");
            Assert.True(takeOver < TimeToLive + TimeSpan.FromSeconds(30), $"took {takeOver} to take over");

            // Continued while the new holder runs: it must notice at once and stop, and the fence keeps its writes out.
            holder.Signal("CONT");
            var frozen = await holder.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExitCodes.UserError, frozen.ExitCode);
            var line = Assert.Single(frozen.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("nashpo: ", StringComparison.Ordinal));
            Assert.Contains("stopped study \"f\"", line, StringComparison.Ordinal);
            _output.WriteLine($"the continued holder: {line}");

            var (exitCode, _, stderr) = await resume.WaitAsync(Limit);
            Assert.True(exitCode == ExitCodes.Success, stderr);
            Assert.Contains("seems dead", stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Signal("CONT");
            }
        }

        await AssertEveryEvaluationOnceAsync("f", db);
        Assert.Equal(0L, Convert.ToInt64(Database.Scalar("SELECT count(*) FROM nashpo_study_lease"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task TwoEnginesTogetherAsync(string db)
    {
        var file = StudyFile();
        using var first = NashpoProcess.Start(_directory.FullName, "run", file, "--study-id", "c", "--db", db);
        using var second = NashpoProcess.Start(_directory.FullName, "run", file, "--study-id", "c", "--db", db);
        var results = await Task.WhenAll(first.WaitAsync(Limit), second.WaitAsync(Limit));

        Assert.Single(results, r => r.ExitCode == ExitCodes.Success);
        var winnerId = results[0].ExitCode == ExitCodes.Success ? first.Id : second.Id;
        var loser = Assert.Single(results, r => r.ExitCode != ExitCodes.Success);
        Assert.Equal(ExitCodes.UserError, loser.ExitCode);
        var line = Assert.Single(loser.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        _output.WriteLine(line);
        Assert.Matches(HolderLine(), line);
        Assert.Contains($"process {winnerId} on {Environment.MachineName} since ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("started in", loser.Stdout, StringComparison.Ordinal);
        await AssertEveryEvaluationOnceAsync("c", db);
    }

    private async Task AssertEveryEvaluationOnceAsync(string studyId, string db)
    {
        var status = await NashpoProcess.RunAsync(_directory.FullName, Limit, "status", studyId, "--db", db, "--json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var json = JsonDocument.Parse(status.Stdout);
        Assert.Equal("finished", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(Evaluations, json.RootElement.GetProperty("evaluations").GetInt32());

        var report = Path.Combine(_directory.FullName, "report-" + studyId);
        var written = await NashpoProcess.RunAsync(_directory.FullName, Limit, "report", studyId, "--db", db, "--out", report);
        Assert.True(written.ExitCode == 0, written.Stderr);
        var trials = File.ReadAllLines(Path.Combine(report, "trials.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(trials.Count, trials.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Evaluations, trials.Count);
    }

    private static string? ReadSqliteLeaseHolderStudy(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT study_id FROM nashpo_study_lease";
        return command.ExecuteScalar() as string;
    }

    [GeneratedRegex("""^nashpo: study "c" is being written by process [0-9]+ on \S+ since [0-9-]+ [0-9:]+Z \(last heartbeat [0-9]+ s ago\); one engine at a time may write a study$""")]
    private static partial Regex HolderLine();
}
