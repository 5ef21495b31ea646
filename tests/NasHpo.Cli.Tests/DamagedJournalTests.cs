using Microsoft.Data.Sqlite;

namespace NasHpo.Cli.Tests;

/// <summary>
/// `status`, `report`, `resume`, `verify` and `copy` (and `run`) on a file that cannot hold a journal: a real journal with pages damaged
/// in its middle, /dev/null, another program's SQLite file with a table named "journal", a file that is not SQLite.
/// Each is one line naming the file (with what was readable, for a damaged one) and exit 2, never an internal error,
/// and a damaged file is not written to.
/// </summary>
public sealed class DamagedJournalTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    public static TheoryData<string> Commands => new() { "status", "status s", "report s", "resume s", "verify", "verify s", "copy s" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_journal_damaged_in_its_middle_is_one_line_with_what_was_readable_and_exit_2(string command)
    {
        var db = DamagedJournal();
        var before = File.ReadAllBytes(db);

        var result = Run(command, db);

        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"nashpo: database {db} is damaged (", line, StringComparison.Ordinal);
        Assert.Contains("readable: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Fact]
    public void A_new_study_on_a_damaged_journal_is_refused_before_anything_is_written()
    {
        var db = DamagedJournal();
        var before = File.ReadAllBytes(db);
        var result = CliHarness.Run("run", Study(), "--study-id", "t", "--db", db);
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        Assert.Contains("is damaged", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Dev_null_is_one_line_and_exit_2(string command)
    {
        var result = Run(command, "/dev/null");
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("/dev/null", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Another_programs_table_named_journal_is_one_line_naming_its_columns_and_exit_2(string command)
    {
        var db = Path.Combine(_cli.Directory, "other.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE journal (id INTEGER PRIMARY KEY, entry TEXT); INSERT INTO journal (entry) VALUES ('dear diary');";
            create.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(db);
        var result = Run(command, db);
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"nashpo: database {db} is not a NasHpo journal: its table \"journal\" has the columns id, entry", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_file_that_is_not_sqlite_is_one_line_and_exit_2(string command)
    {
        var db = _cli.Write("notes.db", string.Concat(Enumerable.Repeat("these are notes, not a database\n", 200)));
        var result = Run(command, db);
        Assert.Equal(ExitCodes.UserError, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(db, line, StringComparison.Ordinal);
        Assert.Contains("file is not a database", line, StringComparison.Ordinal);
    }

    private CliResult Run(string command, string db)
    {
        var words = command.Split(' ');
        string[] args = words[0] switch
        {
            "report" => [.. words, "--db", db, "--out", Path.Combine(_cli.Directory, "report")],
            "copy" => [.. words, "--from", db, "--to", Path.Combine(_cli.Directory, "copy.db")],
            _ => [.. words, "--db", db],
        };
        return CliHarness.Run(args);
    }

    private string Study() => _cli.Write("study.conf", """
        study {
          seed = 1
          problem { type = zdt1, dimensions = 3 }
          optimizer { type = random, max-budget = 1 }
          stop { max-evaluations = 150 }
        }
        """);

    /// <summary>A real journal of 150 evaluations, checkpointed into its file, then a third of its pages overwritten in the middle.</summary>
    private string DamagedJournal()
    {
        var db = Path.Combine(_cli.Directory, "damaged.db");
        var run = CliHarness.Run("run", Study(), "--study-id", "s", "--db", db);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);

        // The engine's pooled connections keep the write-ahead log open; close them and move the log into the file.
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            checkpoint.ExecuteNonQuery();
        }

        const int pageSize = 4096;
        var pages = new FileInfo(db).Length / pageSize;
        Assert.True(pages >= 9, $"only {pages} pages");
        using (var file = new FileStream(db, FileMode.Open, FileAccess.Write))
        {
            var garbage = new byte[pageSize];
            new Random(7).NextBytes(garbage);
            for (var page = pages / 3; page < 2 * pages / 3; page++)
            {
                file.Seek(page * pageSize, SeekOrigin.Begin);
                file.Write(garbage);
            }
        }

        return db;
    }
}
