using Akka.Actor;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>
/// Faults that Akka's backoff supervisors would retry without end: a persistent actor that cannot recover from a
/// damaged journal, a journal write that finds the disk full, a checkpoint directory that is a file. Each stops its
/// study once, fails the caller's task with <see cref="StudyFailedException"/> naming the study and what failed, and
/// leaves the engine's other studies running (as `nashpo serve` runs several).
/// </summary>
public sealed class StudyFaultTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private const string Body = "seed = 6, problem { type = zdt1, dimensions = 3, delay = 5ms }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 60 }";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-study-faults-");

    private string Database => Path.Combine(_directory.FullName, "journal.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_sampler_that_cannot_recover_from_a_damaged_journal_fails_its_study_once_and_the_other_study_finishes()
    {
        await using (var first = TestEngine.Start(Database, devices: 1))
        {
            await first.Studies.Ask<StudyStarting>(new StartStudy("damaged", TestEngine.Study(Body)), TimeSpan.FromSeconds(10));
            await first.WaitForAsync("damaged", s => s.Evaluations >= 10, Limit);
            await first.Studies.Ask<StudyStopped>(new StopStudy("damaged"), TimeSpan.FromSeconds(10));
        }

        // The sampler's newest event (recovery replays it after any snapshot) becomes bytes no Protobuf message parses from.
        var damaged = Sql("SELECT max(sequence_number) FROM journal WHERE persistence_id = 'sampler-damaged'");
        Sql($"UPDATE journal SET message = X'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' WHERE persistence_id = 'sampler-damaged' AND sequence_number = {damaged}");

        await using var engine = TestEngine.Start(Database, devices: 2, extraConfig: "nashpo.engine.restart-backoff { min = 50ms, max = 200ms }");
        var sound = engine.Host.RunStudyAsync("sound", TestEngine.Study(Body));
        var failure = await Assert.ThrowsAsync<StudyFailedException>(() => engine.Host.RunStudyAsync("damaged", null).WaitAsync(Limit));

        // Stopped, not restarted: its actors go away, and from then on, while the other study runs, nothing more is
        // written for it. (Before the stop, its other actors may have recovered and finished the trial that was
        // running when the first engine stopped, or archived a result in flight: written once, as any resume does.)
        var supervisor = $"/user/studies/{StudyManager.NameOf("damaged")}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await IsAliveAsync(engine, supervisor) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(await IsAliveAsync(engine, supervisor), "the damaged study's supervisor is still there");

        // A write its actors sent just before they stopped still lands; let the journal settle before counting.
        await Task.Delay(500);
        var rows = Sql("SELECT count(*) FROM journal WHERE persistence_id LIKE '%-damaged'");
        Assert.Equal(StudyState.Finished, (await sound.WaitAsync(Limit)).State);
        Assert.False(await IsAliveAsync(engine, supervisor), "the damaged study's supervisor came back");
        Assert.Equal(rows, Sql("SELECT count(*) FROM journal WHERE persistence_id LIKE '%-damaged'"));

        // A watcher that comes later hears the same.
        var later = await Assert.ThrowsAsync<StudyFailedException>(() => engine.Host.WatchStudyAsync("damaged").WaitAsync(Limit));
        Assert.Equal(failure.Message, later.Message);
    }

    /// <summary>SQLite's own "database or disk is full" (see <see cref="FullDiskSqlJournal"/>).</summary>
    [Fact]
    public async Task A_full_disk_stops_the_study_without_restarts_and_it_finishes_once_there_is_space()
    {
        const string full = """
            akka.persistence.journal.sql.class = "NasHpo.Actors.Tests.Engine.FullDiskSqlJournal, NasHpo.Actors.Tests"
            nashpo.engine.restart-backoff { min = 50ms, max = 200ms }
            """;
        await using (var engine = TestEngine.Start(Database, devices: 1, extraConfig: full))
        {
            var running = engine.Host.RunStudyAsync("full", TestEngine.Study(Body));
            await engine.WaitForAsync("full", s => s.Evaluations >= 10, Limit);
            FullDiskSqlJournal.Fill(Database, "study-full");
            var failure = await Assert.ThrowsAsync<StudyFailedException>(() => running.WaitAsync(Limit));

            Assert.Equal(StudyFaultKind.DiskFull, failure.Kind);
            Assert.Equal("study-full", failure.PersistenceId);
            Assert.Contains("failed because the disk is full (SQLite Error 13: 'database or disk is full'.)", failure.Message, StringComparison.Ordinal);
            var attempts = FullDiskSqlJournal.Attempts;
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(attempts, FullDiskSqlJournal.Attempts);
            FullDiskSqlJournal.Free();
        }

        // Space again: resumed from its journal, it finishes with every evaluation once.
        await using var resumed = TestEngine.Start(Database, devices: 1);
        var final = await resumed.RunToEndAsync("full", null, Limit);
        Assert.Equal(60, final.Evaluations);
        var record = await resumed.ReadAsync("full");
        Assert.Equal(60, record.Completed);
        Assert.Equal(record.Trials.Count, record.Trials.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_directory_that_is_a_file_fails_the_study_at_once()
    {
        var file = Path.Combine(_directory.FullName, "checkpoints");
        File.WriteAllText(file, "not a directory");
        await using var engine = TestEngine.Start(Database, devices: 1, extraConfig: $"nashpo.checkpoints.directory = \"{file}\"");
        var definition = TestEngine.Study("seed = 1, problem { type = zdt1, dimensions = 3, checkpoints = true }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 5 }");

        var failure = await Assert.ThrowsAsync<StudyFailedException>(() => engine.Host.RunStudyAsync("c", definition).WaitAsync(Limit));

        Assert.Equal(StudyFaultKind.CannotStart, failure.Kind);
        Assert.Equal($"study \"c\" stopped: cannot keep checkpoints in {Path.Combine(file, "c")}: {file} is a file, not a directory", failure.Message);
    }

    private static Task<bool> IsAliveAsync(TestEngine engine, string path) =>
        engine.Host.System.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(1)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    private long Sql(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
