using Microsoft.Data.Sqlite;
using NasHpo.Cli.Tests.EndToEnd;

namespace NasHpo.Cli.Tests;

/// <summary>
/// `nashpo copy` on a real finished study's journal (<see cref="VerifiedStudyJournal"/>): the copy's `status --json`
/// and `report` are the original's, through SQLite and PostgreSQL; each refusal is one line with exit 2 and writes
/// nothing of the study into the target (an unknown study, a target that holds it already, the same database under
/// two names, a damaged source event, a study that a live engine is writing); a copy that fails mid-way leaves nothing
/// in the target, and the same copy run again finishes.
/// </summary>
public sealed class CopyCommandTests(VerifiedStudyJournal journal) : IClassFixture<VerifiedStudyJournal>, IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly ScratchPostgreSqlDatabase? _database =
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable)) ? null : ScratchPostgreSqlDatabase.Create();

    public void Dispose()
    {
        _database?.Dispose();

        // The reader's pooled connections hold the files open.
        SqliteConnection.ClearAllPools();
        _cli.Dispose();
    }

    [Fact]
    public void A_finished_study_copied_to_another_file_has_the_same_status_and_report()
    {
        var source = Source();
        var target = Path.Combine(_cli.Directory, "target.db");

        var copy = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        Assert.True(copy.ExitCode == ExitCodes.Success, copy.Stderr);
        var events = VerifiedStudyJournal.Scalar(source, "SELECT count(*) FROM journal");
        Assert.Matches(
            $@"^copied study s from {Regex(source)} to {Regex(target)}: 3 persistence ids \(pareto-s \d+, sampler-s \d+, study-s \d+\), {events} events, 0 snapshots; " +
            @"written in [0-9.]+ s \(\d+ events/s\); verified \(every event identical byte for byte, the copy's journal clean\), [0-9.]+ s in all$",
            Assert.Single(copy.StdoutLines));
        Assert.Empty(copy.Stderr);
        AssertSameStudy(source, target);
    }

    [PostgreSqlFact]
    public void A_finished_study_copied_to_postgresql_and_back_to_sqlite_has_the_same_status_and_report_everywhere()
    {
        var source = Source();
        var back = Path.Combine(_cli.Directory, "back.db");

        var there = CliHarness.Run("copy", "s", "--from", source, "--to", _database!.Url);
        var again = CliHarness.Run("copy", "s", "--from", _database.ConnectionString, "--to", back);

        Assert.True(there.ExitCode == ExitCodes.Success, there.Stderr);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Stderr);
        AssertSameStudy(source, _database.Url);
        AssertSameStudy(source, back);
        Assert.Equal(0L, Convert.ToInt64(_database.Scalar("SELECT count(*) FROM nashpo_study_lease"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void An_unknown_study_is_refused_and_no_target_is_created()
    {
        var target = Path.Combine(_cli.Directory, "target.db");

        var copy = CliHarness.Run("copy", "nope", "--from", Source(), "--to", target);

        AssertRefused(copy, $"nashpo: no study \"nope\" in {Path.Combine(_cli.Directory, "source.db")} (nashpo status --db {Path.Combine(_cli.Directory, "source.db")} lists them)");
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_target_that_already_holds_the_study_is_refused_and_left_as_it_was()
    {
        var source = Source();
        var target = Path.Combine(_cli.Directory, "target.db");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("copy", "s", "--from", source, "--to", target).ExitCode);
        SqliteConnection.ClearAllPools();
        var events = VerifiedStudyJournal.Scalar(target, "SELECT count(*) FROM journal");

        var again = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        AssertRefused(again, $"nashpo: study \"s\" is already in {target} ({events} events); copy never merges into a study: copy it to another database");
        SqliteConnection.ClearAllPools();
        Assert.Equal(events, VerifiedStudyJournal.Scalar(target, "SELECT count(*) FROM journal"));
    }

    [Fact]
    public void The_same_file_as_source_and_target_is_refused_under_any_name()
    {
        var source = Source();
        var link = Path.Combine(_cli.Directory, "link.db");
        File.CreateSymbolicLink(link, source);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, source);
        var events = VerifiedStudyJournal.Scalar(source, "SELECT count(*) FROM journal");

        foreach (var target in new[] { source, link, relative })
        {
            AssertRefused(CliHarness.Run("copy", "s", "--from", source, "--to", target), $"nashpo: --from and --to are the same database ({source}): a study is copied into another one");
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(events, VerifiedStudyJournal.Scalar(source, "SELECT count(*) FROM journal"));
    }

    /// <summary>Two names of one server (127.0.0.1 and localhost) are not told apart by address: the lease tells them apart.</summary>
    [PostgreSqlFact]
    public void The_same_postgresql_database_under_another_host_name_is_refused()
    {
        Assert.Equal(ExitCodes.Success, CliHarness.Run("copy", "s", "--from", Source(), "--to", _database!.Url).ExitCode);
        var alias = new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "localhost" }.ConnectionString;
        var events = Convert.ToInt64(_database.Scalar("SELECT count(*) FROM journal"), System.Globalization.CultureInfo.InvariantCulture);

        var copy = CliHarness.Run("copy", "s", "--from", _database.Url, "--to", alias);

        Assert.Equal(ExitCodes.UserError, copy.ExitCode);
        Assert.StartsWith("nashpo: --from and --to are the same database (postgresql://", Assert.Single(copy.StderrLines), StringComparison.Ordinal);
        Assert.Equal(events, Convert.ToInt64(_database.Scalar("SELECT count(*) FROM journal"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_source_with_a_damaged_event_is_refused_naming_the_event_as_status_does()
    {
        var source = Source();
        var sequenceNr = VerifiedStudyJournal.Scalar(source, "SELECT min(sequence_number) FROM journal WHERE persistence_id = 'study-s' AND manifest = 'trial-completed.v1'");
        VerifiedStudyJournal.Sql(source, $"UPDATE journal SET message = $garbage WHERE persistence_id = 'study-s' AND sequence_number = {sequenceNr}", ("$garbage", Enumerable.Repeat((byte)0xFF, 16).ToArray()));
        var target = Path.Combine(_cli.Directory, "target.db");

        var copy = CliHarness.Run("copy", "s", "--from", source, "--to", target);
        var status = CliHarness.Run("status", "s", "--db", source);

        Assert.Equal(ExitCodes.UserError, copy.ExitCode);
        var line = Assert.Single(copy.StderrLines);
        Assert.StartsWith($"nashpo: study \"s\" in {source} cannot be read and was not copied: study-s: event {sequenceNr} cannot be read (InvalidProtocolBufferException: ", line, StringComparison.Ordinal);
        Assert.EndsWith($"(nashpo verify s --db {source} lists every problem)", line, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(status.StderrLines).Replace("cannot be read:", "cannot be read and was not copied:", StringComparison.Ordinal), line);
        Assert.False(File.Exists(target), "the target was created for a source that cannot be copied");
    }

    /// <summary>
    /// NasHpo never deletes events, so a persistence id whose first events are missing is a damaged journal (its
    /// actor could recover only from a snapshot that covers them): refused with the verifier's line.
    /// </summary>
    [Fact]
    public void A_source_whose_events_do_not_start_at_1_is_refused_with_the_verifiers_line()
    {
        var source = Source();
        VerifiedStudyJournal.Sql(source, "DELETE FROM journal WHERE persistence_id = 'pareto-s' AND sequence_number <= 3");
        var last = VerifiedStudyJournal.Scalar(source, "SELECT max(sequence_number) FROM journal WHERE persistence_id = 'pareto-s'");
        var target = Path.Combine(_cli.Directory, "target.db");

        var copy = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        AssertRefused(copy,
            $"nashpo: study \"s\" in {source} does not verify and was not copied: pareto-s: 3 sequence numbers are missing: 1-3 (events 1 to {last}) (nashpo verify s --db {source} lists every problem)");
        Assert.False(File.Exists(target));
    }

    /// <summary>
    /// A study long enough to have snapshots (the sampler writes two events an evaluation and snapshots every 1 000):
    /// they are copied as they are, beside the events.
    /// </summary>
    [Fact]
    public void The_snapshots_of_a_study_are_copied_with_it()
    {
        var source = Path.Combine(_cli.Directory, "long.db");
        var run = CliHarness.Run("run", Path.Combine(AppContext.BaseDirectory, "studies", "zdt1.conf"), "--study-id", "s", "--db", source,
            "--set", "study.stop.max-evaluations=520", "--set", "study.problem.dimensions=2");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        SqliteConnection.ClearAllPools();
        var snapshots = VerifiedStudyJournal.Scalar(source, "SELECT count(*) FROM snapshot");
        Assert.True(snapshots >= 1, "the study wrote no snapshot");
        var target = Path.Combine(_cli.Directory, "target.db");

        var copy = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        Assert.True(copy.ExitCode == ExitCodes.Success, copy.Stderr);
        Assert.Contains($", {snapshots} snapshot", Assert.Single(copy.StdoutLines), StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        const string Snapshots = "SELECT group_concat(persistence_id || ':' || sequence_number || ':' || created || ':' || manifest || ':' || serializer_id || ':' || hex(snapshot), ';') " +
            "FROM (SELECT * FROM snapshot ORDER BY persistence_id, sequence_number)";
        Assert.Equal(ScalarText(source, Snapshots), ScalarText(target, Snapshots));
    }

    [Fact]
    public async Task A_study_that_a_live_engine_is_writing_is_refused_naming_the_engine()
    {
        var study = _cli.Write("slow.conf", """
            study {
              seed = 5
              devices = 1
              problem { type = zdt1, dimensions = 4, delay = 150ms }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = 200 }
            }
            """);
        var source = Path.Combine(_cli.Directory, "running.db");
        var target = Path.Combine(_cli.Directory, "target.db");
        using var engine = NashpoProcess.Start(_cli.Directory, "run", study, "--study-id", "live", "--db", source);
        await engine.StudyStarted.WaitAsync(TimeSpan.FromMinutes(2));

        // "Started" is said before the study's first event is written: wait until it has some.
        while (CliHarness.Run("status", "live", "--db", source).ExitCode != ExitCodes.Success && !engine.HasExited)
        {
            await Task.Delay(100);
        }

        Assert.False(engine.HasExited, "the engine stopped before the copy");

        var copy = CliHarness.Run("copy", "live", "--from", source, "--to", target);

        Assert.True(copy.ExitCode == ExitCodes.UserError, copy.Stderr);
        var line = Assert.Single(copy.StderrLines);
        Assert.StartsWith($"nashpo: study \"live\" in {source} is being written by process {engine.Id} on {Environment.MachineName} since ", line, StringComparison.Ordinal);
        Assert.EndsWith("; a copy taken now would be torn: copy it once that engine has stopped", line, StringComparison.Ordinal);
        Assert.False(File.Exists(target), "the target was created for a study that cannot be copied");
        Assert.False(engine.HasExited, "the refused copy disturbed the engine");
    }

    /// <summary>
    /// A write that fails mid-copy (a trigger in the target refuses the 20th event of the ledger, as a full disk
    /// would) leaves none of the study there: the copy is one transaction. The same copy, once the fault is gone, ends.
    /// </summary>
    [Fact]
    public void A_copy_that_fails_mid_way_leaves_nothing_in_the_target_and_a_retry_finishes_it()
    {
        var source = Source();

        // An empty journal with Akka.Persistence.Sql's tables, and the fault.
        var target = Path.Combine(_cli.Directory, "target.db");
        File.Copy(source, target);
        VerifiedStudyJournal.Sql(target, "DELETE FROM journal; DELETE FROM snapshot;");
        VerifiedStudyJournal.Sql(target, "CREATE TRIGGER fault BEFORE INSERT ON journal WHEN NEW.persistence_id = 'study-s' AND NEW.sequence_number = 20 BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;");

        var failed = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        Assert.Equal(ExitCodes.UserError, failed.ExitCode);
        Assert.Equal($"nashpo: cannot copy study \"s\" from {source} to {target}: SQLite Error 19: 'simulated write failure'.; nothing of it was left in {target}", Assert.Single(failed.StderrLines));
        SqliteConnection.ClearAllPools();
        Assert.Equal(0, VerifiedStudyJournal.Scalar(target, "SELECT count(*) FROM journal"));
        Assert.Equal(0, VerifiedStudyJournal.Scalar(target, "SELECT count(*) FROM nashpo_study_lease"));

        VerifiedStudyJournal.Sql(target, "DROP TRIGGER fault");
        var retry = CliHarness.Run("copy", "s", "--from", source, "--to", target);

        Assert.True(retry.ExitCode == ExitCodes.Success, retry.Stderr);
        AssertSameStudy(source, target);
    }

    /// <summary>A copy of the clean journal, as the source (the copy leaves its lease row behind only while it runs).</summary>
    private string Source()
    {
        var source = Path.Combine(_cli.Directory, "source.db");
        File.Copy(journal.CleanPath, source);
        return source;
    }

    /// <summary>The same status (as JSON) and the same report (trials and front, every column) on both sides.</summary>
    private void AssertSameStudy(string original, string copy)
    {
        var expected = CliHarness.Run("status", "s", "--db", original, "--json");
        var actual = CliHarness.Run("status", "s", "--db", copy, "--json");
        Assert.True(actual.ExitCode == ExitCodes.Success, actual.Stderr);
        Assert.Equal(expected.Stdout, actual.Stdout);

        var name = Guid.NewGuid().ToString("N");
        var expectedReport = Path.Combine(_cli.Directory, name + "-original");
        var actualReport = Path.Combine(_cli.Directory, name + "-copy");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("report", "s", "--db", original, "--out", expectedReport).ExitCode);
        Assert.Equal(ExitCodes.Success, CliHarness.Run("report", "s", "--db", copy, "--out", actualReport).ExitCode);
        foreach (var file in new[] { "trials.csv", "pareto.csv" })
        {
            Assert.Equal(File.ReadAllLines(Path.Combine(expectedReport, file)), File.ReadAllLines(Path.Combine(actualReport, file)));
        }

        Assert.Equal(ExitCodes.Success, CliHarness.Run("verify", "s", "--db", copy).ExitCode);
    }

    private static string ScalarText(string db, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }

    private static void AssertRefused(CliResult result, string line)
    {
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Equal(line, Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
