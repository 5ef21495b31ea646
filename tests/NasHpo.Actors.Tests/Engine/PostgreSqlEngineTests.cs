using Akka.Actor;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>The engine on a real PostgreSQL journal (a database of the test's own on the NASHPO_TEST_POSTGRES server).</summary>
public sealed class PostgreSqlEngineTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly ScratchPostgreSqlDatabase? _database;

    public PostgreSqlEngineTests()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable)))
        {
            _database = ScratchPostgreSqlDatabase.Create();
        }
    }

    private ScratchPostgreSqlDatabase Database => _database ?? throw new InvalidOperationException($"{PostgreSqlFactAttribute.Variable} is not set");

    public void Dispose() => _database?.Dispose();

    [PostgreSqlFact]
    public async Task A_study_stopped_with_its_engine_resumes_from_a_postgresql_journal_without_losing_or_repeating_evaluations()
    {
        var definition = TestEngine.Study("seed = 9, devices = 2, problem { type = zdt1, dimensions = 4, delay = 20ms }\noptimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 50 }");
        await using (var first = TestEngine.Start(Database.ConnectionString, devices: 2))
        {
            Assert.Equal(JournalKind.PostgreSql, first.Host.Journal.Kind);
            await first.Studies.Ask<StudyStarting>(new StartStudy("interrupted", definition), TimeSpan.FromSeconds(10));
            await first.WaitForAsync("interrupted", s => s.Evaluations >= 15, Limit);
        }

        await using var second = TestEngine.Start(Database.Url, devices: 2);
        var before = await second.ReadAsync("interrupted");
        Assert.InRange(before.Completed, 15, 49);

        var status = await second.RunToEndAsync("interrupted", null, Limit);

        Assert.Equal("max-evaluations", status.FinishReason);
        Assert.Equal(50, status.Evaluations);
        var after = await second.ReadAsync("interrupted");
        Assert.Equal(50, after.Completed + after.FailedCount);
        Assert.Equal(after.Trials.Count, after.Trials.Select(t => t.Id).Distinct().Count());
        Assert.All(after.Trials, t => Assert.True(t.Completed is not null || t.Failed is not null, $"{t.Id} never finished"));
        foreach (var trial in before.Trials.Where(t => t.Completed is not null))
        {
            Assert.Equal(trial.Completed!.Objectives, after.Trials.Single(t => t.Id == trial.Id).Completed!.Objectives);
        }

        // The read side lists it, and the events really are in PostgreSQL (not in a file named like the address).
        Assert.Equal(["interrupted"], await JournalReader.ListStudiesAsync(second.Host.System));
        var events = Convert.ToInt64(Database.Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'study-interrupted'"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(events >= 2 * 50, $"the study's ledger holds at least a scheduled and a completed event per evaluation, found {events}");
    }

    [PostgreSqlFact]
    public async Task Checking_a_database_without_a_journal_says_so_and_preparing_it_lets_the_engine_create_one()
    {
        var journal = JournalSettings.Parse(Database.Url);

        var missing = Assert.Throws<DatabaseUnavailableException>(journal.CheckExisting);
        Assert.Equal($"no journal in database {journal.Display} (run a study there first)", missing.Message);

        await using (var engine = TestEngine.Start(Database.Url, devices: 1))
        {
            var definition = TestEngine.Study("seed = 1, problem { type = zdt1, dimensions = 3 }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 5 }");
            Assert.Equal(5, (await engine.RunToEndAsync("small", definition, Limit)).Evaluations);
        }

        journal.CheckExisting();
    }
}
