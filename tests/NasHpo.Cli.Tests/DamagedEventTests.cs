using Microsoft.Data.Sqlite;

namespace NasHpo.Cli.Tests;

/// <summary>
/// `status`, `report` and `resume` on a sound SQLite file whose journal holds one event row that cannot be read: its
/// payload overwritten with garbage, its manifest changed to an unknown version, its payload replaced by a value of
/// another type. Each is one line naming the study, the persistence id and the event, with the hint to run
/// `nashpo verify`, and exit 2, never an internal error; `resume` appends nothing to the journal. Each case is a copy
/// of a real study's journal (<see cref="VerifiedStudyJournal"/>) with its last event (the study's end) removed, so
/// that a resume that is not refused runs the engine and writes.
/// </summary>
public sealed class DamagedEventTests(VerifiedStudyJournal journal) : IClassFixture<VerifiedStudyJournal>, IDisposable
{
    private const string Ledger = "study-s";

    // A varint that never ends: no Protobuf message parses from it.
    private static readonly byte[] Garbage = Enumerable.Repeat((byte)0xFF, 16).ToArray();

    private readonly CliHarness _cli = new();

    public void Dispose()
    {
        // The reader's pooled connections hold the copies open.
        SqliteConnection.ClearAllPools();
        _cli.Dispose();
    }

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var damage in new[] { "garbage payload", "unknown version", "text payload", "integer payload", "archive garbage payload" })
        {
            foreach (var command in new[] { "status s", "status", "report s", "resume s" })
            {
                cases.Add(damage, command);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_event_that_cannot_be_read_is_one_line_naming_the_study_the_persistence_id_and_the_event_and_exit_2(string damage, string command)
    {
        var db = Resumable();
        var (persistenceId, sequenceNr) = Damage(db, damage);
        var rows = VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");
        var output = Path.Combine(_cli.Directory, "report");

        var result = Run(command, db, output);

        Assert.True(result.ExitCode == ExitCodes.UserError, $"exit {result.ExitCode}: {result.Stdout}{result.Stderr}");
        var line = Assert.Single(result.StderrLines);
        var resuming = command.StartsWith("resume", StringComparison.Ordinal);
        Assert.StartsWith($"nashpo: study \"s\" in {db} cannot be read{(resuming ? " and was not resumed" : string.Empty)}: {persistenceId}: event {sequenceNr} ", line, StringComparison.Ordinal);
        Assert.EndsWith($"(nashpo verify s --db {db} lists every problem)", line, StringComparison.Ordinal);
        if (damage == "unknown version")
        {
            Assert.Contains("is of an unknown version (manifest \"trial-completed.v99\")", line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("resuming", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "report wrote its directory");
        SqliteConnection.ClearAllPools();
        Assert.Equal(rows, VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal"));
    }

    [Fact]
    public void A_resume_whose_sampler_has_an_event_that_cannot_be_read_is_refused_before_the_engine_writes()
    {
        var db = Resumable();
        var sequenceNr = VerifiedStudyJournal.Scalar(db, "SELECT min(sequence_number) FROM journal WHERE persistence_id = 'sampler-s' AND manifest = 'trial-proposed.v1'");
        VerifiedStudyJournal.Sql(db, $"UPDATE journal SET message = $garbage WHERE persistence_id = 'sampler-s' AND sequence_number = {sequenceNr}", ("$garbage", Garbage));
        var rows = VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");

        var result = CliHarness.Run("resume", "s", "--db", db);

        Assert.True(result.ExitCode == ExitCodes.UserError, $"exit {result.ExitCode}: {result.Stdout}{result.Stderr}");
        Assert.StartsWith(
            $"nashpo: study \"s\" in {db} cannot be read and was not resumed: sampler-s: event {sequenceNr} cannot be read (InvalidProtocolBufferException: ",
            Assert.Single(result.StderrLines),
            StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(rows, VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal"));
    }

    /// <summary>The other side of the row counts above: the same copy, undamaged, resumes, finishes and writes its end.</summary>
    [Fact]
    public void The_undamaged_copy_resumes_and_writes_the_studys_end()
    {
        var db = Resumable();
        var rows = VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal");

        var result = CliHarness.Run("resume", "s", "--db", db);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Stdout + result.Stderr);
        SqliteConnection.ClearAllPools();
        Assert.True(VerifiedStudyJournal.Scalar(db, "SELECT count(*) FROM journal") > rows);
    }

    /// <summary>Damages one event of the copy as named; returns its persistence id and sequence number.</summary>
    private static (string PersistenceId, long SequenceNr) Damage(string db, string damage)
    {
        var (persistenceId, manifest) = damage.StartsWith("archive", StringComparison.Ordinal) ? ("pareto-s", "evaluation-archived.v1") : (Ledger, "trial-completed.v1");
        var sequenceNr = VerifiedStudyJournal.Scalar(db, $"SELECT min(sequence_number) FROM journal WHERE persistence_id = '{persistenceId}' AND manifest = '{manifest}'");
        var row = $"WHERE persistence_id = '{persistenceId}' AND sequence_number = {sequenceNr}";
        switch (damage)
        {
            case "garbage payload" or "archive garbage payload":
                VerifiedStudyJournal.Sql(db, $"UPDATE journal SET message = $garbage {row}", ("$garbage", Garbage));
                break;
            case "unknown version":
                VerifiedStudyJournal.Sql(db, $"UPDATE journal SET manifest = 'trial-completed.v99' {row}");
                break;

            // SQLite keeps a value of any type in any column: these are not bytes, which the journal's reader expects.
            case "text payload":
                VerifiedStudyJournal.Sql(db, $"UPDATE journal SET message = 'not a payload' {row}");
                break;
            case "integer payload":
                VerifiedStudyJournal.Sql(db, $"UPDATE journal SET message = 12345 {row}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }

        return (persistenceId, sequenceNr);
    }

    private static CliResult Run(string command, string db, string output)
    {
        var words = command.Split(' ');
        string[] args = words[0] == "report" ? [.. words, "--db", db, "--out", output] : [.. words, "--db", db];
        return CliHarness.Run(args);
    }

    /// <summary>A copy of the clean journal without the study's last event (its end), so that it can be resumed.</summary>
    private string Resumable()
    {
        var db = Path.Combine(_cli.Directory, $"copy-{Guid.NewGuid():N}.db");
        File.Copy(journal.CleanPath, db);
        VerifiedStudyJournal.Sql(db, $"DELETE FROM journal WHERE persistence_id = '{Ledger}' AND manifest = 'study-finished.v1'");
        return db;
    }
}
