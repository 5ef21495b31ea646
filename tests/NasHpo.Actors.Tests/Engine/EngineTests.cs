using Akka.Actor;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>The actor tree running real studies on a real SQLite journal, in-process.</summary>
public sealed class EngineTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-engine-");

    private string Database => Path.Combine(_directory.FullName, "engine.db");

    public void Dispose() => _directory.Delete(recursive: true);

    private static void AssertLedgerIsClean(StudyRecord record, int evaluations)
    {
        Assert.Equal(evaluations, record.Completed + record.FailedCount);
        Assert.Equal(record.Trials.Count, record.Trials.Select(t => t.Id).Distinct().Count());
        Assert.All(record.Trials, t => Assert.True(t.Completed is not null || t.Failed is not null, $"{t.Id} never finished"));
    }

    [Fact]
    public async Task A_study_runs_to_its_evaluation_limit_and_its_ledger_holds_each_trial_once()
    {
        await using var engine = TestEngine.Start(Database, devices: 3);
        var definition = TestEngine.Study("seed = 3, devices = 3, problem { type = zdt1, dimensions = 4 }\noptimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 60 }");

        var status = await engine.RunToEndAsync("plain", definition, Limit);

        Assert.Equal("max-evaluations", status.FinishReason);
        Assert.Equal(60, status.Evaluations);
        Assert.True(status.Hypervolume > 0, "a finished ZDT1 study has a non-empty front at the maximum budget");
        var record = await engine.ReadAsync("plain");
        AssertLedgerIsClean(record, 60);
        Assert.Equal(3, record.Trials.Select(t => t.Completed!.Device).Distinct().Count());

        // Promotions continue from the rung below: every trial above the first rung names its parent, which completed.
        var completed = record.Trials.Select(t => t.Id).ToHashSet();
        Assert.All(record.Trials.Where(t => t.Scheduled.Request.Rung > 0), t => Assert.Contains(t.Scheduled.Request.Parent!.Value, completed));
    }

    [Fact]
    public async Task Trials_that_throw_or_return_non_finite_objectives_fail_and_the_study_goes_on()
    {
        IWorkload Faulty(StudyDefinition definition) => new FaultyWorkload(WorkloadCatalog.Create(definition));
        await using var engine = TestEngine.Start(Database, devices: 2, Faulty);
        var definition = TestEngine.Study("seed = 5, devices = 2, problem { type = zdt1, dimensions = 4 }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 40 }");

        var status = await engine.RunToEndAsync("faulty", definition, Limit);

        Assert.Equal(40, status.Evaluations);
        var record = await engine.ReadAsync("faulty");
        AssertLedgerIsClean(record, 40);
        var failures = record.Trials.Where(t => t.Failed is not null).Select(t => t.Failed!.Reason).ToArray();
        Assert.Contains(failures, r => r.Contains("InvalidOperationException: the network diverged", StringComparison.Ordinal));
        Assert.Contains(failures, r => r.Contains("objective f1 is NaN", StringComparison.Ordinal));
        Assert.Contains(failures, r => r.Contains("objective f2 is ∞", StringComparison.Ordinal) || r.Contains("objective f2 is Infinity", StringComparison.Ordinal));
        Assert.True(record.Completed > 0);
        Assert.Equal(failures.Length, status.Failed);
    }

    [Theory]
    [InlineData("mo-bohb")]
    [InlineData("sh-emoa")]
    [InlineData("ms-ehvi")]
    [InlineData("mo-bananas")]
    public async Task A_study_stopped_with_its_engine_resumes_from_the_journal_without_losing_or_repeating_evaluations(string optimizer)
    {
        var definition = TestEngine.Study($"seed = 9, devices = 2, problem {{ type = zdt1, dimensions = 4, delay = 20ms }}\noptimizer {{ type = {optimizer}, min-budget = 1, max-budget = 9 }}\nstop {{ max-evaluations = 50 }}");
        await using (var first = TestEngine.Start(Database, devices: 2))
        {
            await first.Studies.Ask<StudyStarting>(new StartStudy("interrupted", definition), TimeSpan.FromSeconds(10));
            await first.WaitForAsync("interrupted", s => s.Evaluations >= 15, Limit);
        }

        await using var second = TestEngine.Start(Database, devices: 2);
        var before = await second.ReadAsync("interrupted");
        Assert.InRange(before.Completed, 15, 49);

        var status = await second.RunToEndAsync("interrupted", null, Limit);

        Assert.Equal(50, status.Evaluations);
        var after = await second.ReadAsync("interrupted");
        AssertLedgerIsClean(after, 50);

        // Everything recorded before the restart is still there, unchanged.
        foreach (var trial in before.Trials.Where(t => t.Completed is not null))
        {
            var same = after.Trials.Single(t => t.Id == trial.Id);
            Assert.Equal(trial.Completed!.Objectives, same.Completed!.Objectives);
        }
    }

    [Fact]
    public async Task A_journal_write_failure_restarts_the_study_with_backoff_and_it_still_finishes()
    {
        const string flaky = """
            akka.persistence.journal.sql.class = "NasHpo.Actors.Tests.Engine.FlakySqlJournal, NasHpo.Actors.Tests"
            nashpo.engine.restart-backoff { min = 50ms, max = 500ms }
            """;
        await using var engine = TestEngine.Start(Database, devices: 1, extraConfig: flaky);
        var definition = TestEngine.Study("seed = 2, problem { type = zdt1, dimensions = 3, delay = 5ms }\noptimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 40 }");

        await engine.Studies.Ask<StudyStarting>(new StartStudy("flaky", definition), TimeSpan.FromSeconds(10));
        await engine.WaitForAsync("flaky", s => s.Evaluations >= 10, Limit);
        FlakySqlJournal.FailNextWrites("study-flaky", 2);
        var status = await engine.WaitForAsync("flaky", s => s.State == StudyState.Finished, Limit);

        Assert.Equal(2, FlakySqlJournal.Failed);
        Assert.Equal(40, status.Evaluations);
        AssertLedgerIsClean(await engine.ReadAsync("flaky"), 40);
    }

    [Fact]
    public async Task Resuming_an_unknown_study_reports_it_as_not_found()
    {
        await using var engine = TestEngine.Start(Database, devices: 1);
        await engine.Studies.Ask<StudyStarting>(new StartStudy("ghost", null), TimeSpan.FromSeconds(10));
        var status = await engine.WaitForAsync("ghost", s => s.State != StudyState.Recovering, Limit);
        Assert.Equal(StudyState.NotFound, status.State);
        Assert.False((await engine.ReadAsync("ghost")).Exists);
    }

    /// <summary>Every 7th configuration throws, every 11th returns NaN, every 13th +∞: as diverging networks do.</summary>
    private sealed class FaultyWorkload(IWorkload inner) : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives => inner.Objectives;

        public WorkloadResult Run(TrialRequest request, WorkloadContext context)
        {
            var id = request.Id.ConfigurationId;
            if (id % 7 == 3)
            {
                throw new InvalidOperationException("the network diverged");
            }

            var result = inner.Run(request, context);
            return id % 11 == 5 ? WorkloadResult.Of(double.NaN, result.Objectives[1])
                : id % 13 == 6 ? WorkloadResult.Of(result.Objectives[0], double.PositiveInfinity)
                : result;
        }
    }
}
