using System.Text.Json;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Tests;

/// <summary>
/// One small real ZDT1 study's journal, run once for the class; each test verifies a copy of it, damaged one way
/// with SQLite directly.
/// </summary>
public sealed class VerifiedStudyJournal : IDisposable
{
    private static readonly string Zdt1 = Path.Combine(AppContext.BaseDirectory, "studies", "zdt1.conf");

    private readonly CliHarness _cli = new();

    public VerifiedStudyJournal()
    {
        CleanPath = Path.Combine(_cli.Directory, "clean.db");
        var run = CliHarness.Run("run", Zdt1, "--study-id", "s", "--db", CleanPath,
            "--set", "study.stop.max-evaluations=30", "--set", "study.problem.dimensions=3");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);

        // The engine's pooled connections keep the write-ahead log open; close them and move the log into the file,
        // so that a copy of the file is the whole journal.
        SqliteConnection.ClearAllPools();
        Sql(CleanPath, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
    }

    /// <summary>The clean journal; copy it before changing it.</summary>
    public string CleanPath { get; }

    public void Dispose() => _cli.Dispose();

    internal static void Sql(string db, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    internal static long Scalar(string db, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// `nashpo verify`: a clean journal is exit 0; a sequence gap, a damaged payload, an event of an unknown version and a
/// trial scheduled or completed twice are each one line naming the persistence id and the events, with exit 2; a
/// file that is not a journal is one line on stderr and exit 2, never an internal error.
/// </summary>
public sealed class VerifyCommandTests(VerifiedStudyJournal journal) : IClassFixture<VerifiedStudyJournal>, IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose()
    {
        // The reader's pooled connections hold the copies open.
        SqliteConnection.ClearAllPools();
        _cli.Dispose();
    }

    [Fact]
    public void A_clean_journal_of_a_real_study_verifies_with_exit_0()
    {
        var db = Copy();
        var events = VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");

        foreach (var result in new[] { CliHarness.Run("verify", "s", "--db", db), CliHarness.Run("verify", "--db", db) })
        {
            Assert.True(result.ExitCode == ExitCodes.Success, result.Stdout + result.Stderr);
            var line = Assert.Single(result.StdoutLines);
            Assert.StartsWith($"s: clean, {events} events readable (study-s ", line, StringComparison.Ordinal);
            Assert.Empty(result.Stderr);
        }

        var json = CliHarness.Run("verify", "s", "--db", db, "--json");
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.True(document.RootElement.GetProperty("clean").GetBoolean());
        Assert.Equal(events, document.RootElement.GetProperty("readableEvents").GetInt64());
        Assert.Equal(0, document.RootElement.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public void An_event_deleted_from_the_middle_is_a_gap_naming_the_persistence_id_and_the_missing_number()
    {
        var db = Copy();
        var highest = VerifiedStudyJournal.Scalar(db, "SELECT max(sequence_number) FROM journal WHERE persistence_id = 'study-s'");
        var middle = highest / 2;
        VerifiedStudyJournal.Sql(db, $"DELETE FROM journal WHERE persistence_id = 'study-s' AND sequence_number = {middle}");

        var result = CliHarness.Run("verify", "s", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Equal(2, result.StdoutLines.Length);
        Assert.Equal($"s: study-s: sequence number {middle} is missing (events 1 to {highest})", result.StdoutLines[0]);
        Assert.StartsWith("s: 1 problem; ", result.StdoutLines[1], StringComparison.Ordinal);
        Assert.Contains($"(study-s {highest - 1}, ", result.StdoutLines[1], StringComparison.Ordinal);

        var json = CliHarness.Run("verify", "--db", db, "--json");
        Assert.Equal(ExitCodes.UserError, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        var problem = Assert.Single(document.RootElement[0].GetProperty("problems").EnumerateArray());
        Assert.Equal("gap", problem.GetProperty("kind").GetString());
        Assert.Equal("study-s", problem.GetProperty("persistenceId").GetString());
        Assert.Equal([middle], problem.GetProperty("sequenceNumbers").EnumerateArray().Select(n => n.GetInt64()));
    }

    [Fact]
    public void An_event_whose_payload_is_garbage_is_unreadable_and_the_events_after_it_are_still_read()
    {
        var db = Copy();
        var all = VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");
        var sequenceNr = VerifiedStudyJournal.Scalar(db, "SELECT min(sequence_number) FROM journal WHERE persistence_id = 'study-s' AND manifest = 'trial-completed.v1'");

        // A varint that never ends: no Protobuf message parses from it.
        var garbage = Enumerable.Repeat((byte)0xFF, 16).ToArray();
        VerifiedStudyJournal.Sql(db, $"UPDATE journal SET message = $garbage WHERE persistence_id = 'study-s' AND sequence_number = {sequenceNr}", ("$garbage", garbage));

        var result = CliHarness.Run("verify", "s", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Equal(2, result.StdoutLines.Length);
        Assert.StartsWith($"s: study-s: event {sequenceNr} cannot be read (InvalidProtocolBufferException: ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.StartsWith($"s: 1 problem; {all - 1} of {all} events readable", result.StdoutLines[1], StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void An_event_of_an_unknown_manifest_version_is_reported_as_of_an_unknown_version()
    {
        var db = Copy();
        var sequenceNr = VerifiedStudyJournal.Scalar(db, "SELECT max(sequence_number) FROM journal WHERE persistence_id = 'study-s' AND manifest = 'trial-completed.v1'");
        VerifiedStudyJournal.Sql(db, $"UPDATE journal SET manifest = 'trial-completed.v99' WHERE persistence_id = 'study-s' AND sequence_number = {sequenceNr}");

        var result = CliHarness.Run("verify", "s", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Equal(
            $"s: study-s: event {sequenceNr} is of an unknown version (manifest \"trial-completed.v99\"): written by a newer or foreign version of NasHpo",
            result.StdoutLines[0]);
        Assert.Equal(2, result.StdoutLines.Length);
    }

    [Theory]
    [InlineData("trial-scheduled.v1", "scheduled")]
    [InlineData("trial-completed.v1", "completed")]
    public void A_trial_recorded_twice_in_the_ledger_is_reported_with_both_events(string manifest, string what)
    {
        var db = Copy();
        var original = VerifiedStudyJournal.Scalar(db, $"SELECT min(sequence_number) FROM journal WHERE persistence_id = 'study-s' AND manifest = '{manifest}'");
        var next = VerifiedStudyJournal.Scalar(db, "SELECT max(sequence_number) + 1 FROM journal WHERE persistence_id = 'study-s'");

        // The same event written again as the ledger's next one, as a second writer of the study would.
        VerifiedStudyJournal.Sql(db,
            "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
            $"SELECT created, deleted, persistence_id, {next}, message, manifest, identifier, writer_uuid FROM journal " +
            $"WHERE persistence_id = 'study-s' AND sequence_number = {original}");

        var result = CliHarness.Run("verify", "s", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Matches($"^s: study-s: trial-[0-9]+-b[0-9.]+ {what} 2 times \\(events {original}, {next}\\)$", result.StdoutLines[0]);
        Assert.Equal(2, result.StdoutLines.Length);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_one_line_and_exit_2()
    {
        var db = _cli.Write("notes.db", string.Concat(Enumerable.Repeat("these are notes, not a database\n", 200)));

        var result = CliHarness.Run("verify", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(db, line, StringComparison.Ordinal);
        Assert.Contains("file is not a database", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("CREATE TABLE notes (id INTEGER PRIMARY KEY, entry TEXT); INSERT INTO notes (entry) VALUES ('dear diary');", "it is not a NasHpo journal (its tables: notes)")]
    [InlineData("CREATE TABLE journal (id INTEGER PRIMARY KEY, entry TEXT); INSERT INTO journal (entry) VALUES ('dear diary');", "is not a NasHpo journal: its table \"journal\" has the columns id, entry")]
    public void Another_programs_sqlite_file_is_one_line_and_exit_2(string schema, string expected)
    {
        var db = Path.Combine(_cli.Directory, "other.db");
        VerifiedStudyJournal.Sql(db, schema);

        var result = CliHarness.Run("verify", "--db", db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_study_is_one_line_and_exit_2()
    {
        var result = CliHarness.Run("verify", "nope", "--db", Copy());
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.StartsWith("nashpo: no study \"nope\" in ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_checks_list_missing_sequence_numbers_as_ranges_without_an_actor_system()
    {
        var events = new long[] { 1, 2, 5, 9 }.Select(n => new JournalEvent(n, new object())).ToArray();
        var reading = new PersistenceIdEvents("sampler-x", events, [new UnreadableEvent(6, "damaged", null)]);

        var verification = JournalVerifier.Check("x", [reading]);

        Assert.False(verification.Clean);
        Assert.Equal(4, verification.ReadableEvents);
        Assert.Equal(1, verification.UnreadableEvents);
        var gap = Assert.Single(verification.Problems, p => p.Kind == "gap");
        Assert.Equal([3L, 4, 7, 8], gap.SequenceNumbers);
        Assert.Equal("sampler-x: 4 sequence numbers are missing: 3-4, 7-8 (events 1 to 9)", gap.Description);
        Assert.Equal("sampler-x: event 6 cannot be read (damaged)", Assert.Single(verification.Problems, p => p.Kind == "unreadable").Description);
    }

    private string Copy()
    {
        var db = Path.Combine(_cli.Directory, $"copy-{Guid.NewGuid():N}.db");
        File.Copy(journal.CleanPath, db);
        return db;
    }
}
