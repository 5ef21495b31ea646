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
    public async Task When_a_rung_completes_while_the_sampler_decides_the_study_asks_again_at_once_instead_of_idling()
    {
        // One open bracket, synchronous: the last result of a rung often arrives while the sampler answers an
        // earlier request (empty, as the rung is not yet complete). The study used to see that empty answer with
        // nothing running, warn, and idle 200 ms before asking again, at every rung.
        await using var engine = TestEngine.Start(Database, devices: 4);
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listener = engine.Host.System.ActorOf(Props.Create(() => new WarningCollector(warnings)));
        engine.Host.System.EventStream.Subscribe(listener, typeof(Akka.Event.Warning));
        var definition = TestEngine.Study("seed = 6, devices = 4, problem { type = zdt1, dimensions = 4 }\noptimizer { type = hyperband, promotion = synchronous, max-open-brackets = 1, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 300 }");

        var status = await engine.RunToEndAsync("one-bracket", definition, Limit);

        Assert.Equal(300, status.Evaluations);
        Assert.DoesNotContain(warnings, w => w.Contains("proposes nothing while no trial runs", StringComparison.Ordinal));
    }

    private sealed class WarningCollector : ReceiveActor
    {
        public WarningCollector(System.Collections.Concurrent.ConcurrentQueue<string> warnings) =>
            Receive<Akka.Event.Warning>(warning => warnings.Enqueue(warning.Message?.ToString() ?? string.Empty));
    }

    [Fact]
    public async Task A_study_with_a_budget_limit_stops_scheduling_once_its_trials_would_spend_it_and_passes_it_by_less_than_one_trial()
    {
        await using var engine = TestEngine.Start(Database, devices: 3);
        var definition = TestEngine.Study("seed = 4, devices = 3, problem { type = zdt1, dimensions = 4 }\noptimizer { type = hyperband, min-budget = 1, max-budget = 9 }\nstop { max-budget-spent = 150 }");

        var status = await engine.RunToEndAsync("budgeted", definition, Limit);

        Assert.Equal("max-budget-spent", status.FinishReason);
        var record = await engine.ReadAsync("budgeted");
        AssertLedgerIsClean(record, status.Evaluations);
        // Synthetic trials pay their whole budget: the ledger's budgets add up to what was spent.
        var spent = record.Trials.Sum(t => t.Id.Budget);
        Assert.InRange(spent, 150, 150 + 9 - 1e-9);
        Assert.Contains(record.Trials, t => t.Id.Budget < 9);
    }

    [Fact]
    public void A_promoted_network_that_continues_from_its_parent_is_charged_its_new_epochs_and_anything_else_its_whole_budget()
    {
        var network = TestEngine.Study("problem { type = fashion-mnist }\nsearch-space { learning_rate { type = float, lower = 0.001, upper = 0.1, log = true } }\noptimizer { type = hyperband, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 10 }");
        var retrained = TestEngine.Study("problem { type = fashion-mnist }\nsearch-space { learning_rate { type = float, lower = 0.001, upper = 0.1, log = true } }\noptimizer { type = hyperband, min-budget = 1, max-budget = 9, continue-from-checkpoint = false }\nstop { max-evaluations = 10 }");
        var synthetic = TestEngine.Study("problem { type = zdt1 }\noptimizer { type = hyperband, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 10 }");
        var promoted = new TrialRequest(new TrialId(4, 9), network.Space.Sample(new Random(1)), 0, 2, new TrialId(4, 3));

        Assert.Equal(6, BudgetCharge.Expected(network, promoted));
        Assert.Equal(9, BudgetCharge.Expected(retrained, promoted));
        Assert.Equal(9, BudgetCharge.Expected(synthetic, promoted with { Configuration = synthetic.Space.Sample(new Random(1)) }));
        Assert.Equal(6, BudgetCharge.Completed(network, promoted.Id, new Dictionary<string, double> { ["start-epoch"] = 3 }));
        Assert.Equal(9, BudgetCharge.Completed(network, promoted.Id, new Dictionary<string, double> { ["start-epoch"] = 0 }));
        Assert.Equal(9, BudgetCharge.Completed(synthetic, promoted.Id, new Dictionary<string, double>()));
        Assert.Equal(9, BudgetCharge.Failed(promoted.Id));
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
    [InlineData("bulk-and-cut")]
    [InlineData("hyperband, promotion = asynchronous")]
    [InlineData("mo-bohb, promotion = asynchronous")]
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

        if (optimizer == "bulk-and-cut")
        {
            // The genealogy survives the restart: every child names a completed parent proposed before it.
            var children = after.Trials.Where(t => t.Scheduled.Request.Lineage is not null).ToArray();
            Assert.NotEmpty(children);
            Assert.All(children, child =>
            {
                var lineage = child.Scheduled.Request.Lineage!;
                var parent = after.Trials.Single(t => t.Id == lineage.ParentTrial);
                Assert.NotNull(parent.Completed);
                Assert.Equal(parent.Scheduled.Request.Configuration, lineage.ParentConfiguration);
                Assert.True(parent.Id.ConfigurationId < child.Id.ConfigurationId);

                // On a synthetic problem (no network parameters) constrained BO chooses nothing unless the study names
                // optimizer.hyperparameters: the morphisms step any variable up or down.
                Assert.Matches("^(grow|shrink) x[0-3]$", lineage.Operation);
            });
        }
    }

    [Fact]
    public async Task Once_a_promoted_trial_finishes_the_checkpoint_it_continued_from_is_deleted_even_in_asynchronous_ladders()
    {
        // problem.checkpoints makes every synthetic trial write a small checkpoint file, as a training trial does.
        var definition = TestEngine.Study("seed = 8, devices = 2, problem { type = zdt1, dimensions = 4, delay = 40ms, checkpoints = true }\noptimizer { type = mo-bohb, promotion = asynchronous, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 400 }");
        string directory;
        await using (var engine = TestEngine.Start(Database, devices: 2))
        {
            directory = DirectoryCheckpointStore.ForStudy(engine.Host.CheckpointDirectory!, "ladders");
            await engine.Studies.Ask<StudyStarting>(new StartStudy("ladders", definition), TimeSpan.FromSeconds(10));
            await engine.WaitForAsync("ladders", s => s.Evaluations >= 120, Limit);
        }

        await using var reader = TestEngine.Start(Database, devices: 2);
        var record = await reader.ReadAsync("ladders");
        Assert.Null(record.Finished);
        var completed = record.Trials.Where(t => t.Completed is not null).ToList();
        // The engine stopped mid-study: its last completions may have been written without their clean-up having run.
        var settled = completed.Max(t => t.Completed!.CompletedAt) - TimeSpan.FromMilliseconds(300);
        var promoted = completed.Where(t => t.Scheduled.Request.Parent is not null && t.Completed!.CompletedAt < settled).ToList();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, t => Assert.False(
            File.Exists(Path.Combine(directory, DirectoryCheckpointStore.FileName(t.Scheduled.Request.Parent!.Value))),
            $"the checkpoint {t.Id} continued from is still there"));

        // Those not promoted (yet) keep theirs: a ladder may still promote them.
        var parents = record.Trials.Select(t => t.Scheduled.Request.Parent).OfType<TrialId>().ToHashSet();
        Assert.Contains(completed, t => t.Id.Budget < 9 && !parents.Contains(t.Id) && File.Exists(Path.Combine(directory, DirectoryCheckpointStore.FileName(t.Id))));
    }

    [Fact]
    public async Task An_asynchronous_study_stopped_and_resumed_on_one_device_schedules_what_an_uninterrupted_one_does()
    {
        var definition = TestEngine.Study("seed = 13, problem { type = zdt1, dimensions = 4, delay = 30ms }\noptimizer { type = hyperband, promotion = asynchronous, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 40 }");
        await using (var first = TestEngine.Start(Database, devices: 1))
        {
            await first.RunToEndAsync("straight", definition, Limit);
            await first.Studies.Ask<StudyStarting>(new StartStudy("interrupted", definition), TimeSpan.FromSeconds(10));
            await first.WaitForAsync("interrupted", s => s.Evaluations >= 12, Limit);
        }

        await using var second = TestEngine.Start(Database, devices: 1);
        Assert.InRange((await second.ReadAsync("interrupted")).Completed, 12, 39);
        await second.RunToEndAsync("interrupted", null, Limit);

        var straight = await second.ReadAsync("straight");
        var resumed = await second.ReadAsync("interrupted");
        AssertLedgerIsClean(straight, 40);
        AssertLedgerIsClean(resumed, 40);
        Assert.Equal(straight.Trials.Select(t => t.Scheduled.Request.Id), resumed.Trials.Select(t => t.Scheduled.Request.Id));
        Assert.Equal(straight.Trials.Select(t => (t.Scheduled.Request.Bracket, t.Scheduled.Request.Rung, t.Scheduled.Request.Parent)), resumed.Trials.Select(t => (t.Scheduled.Request.Bracket, t.Scheduled.Request.Rung, t.Scheduled.Request.Parent)));
        Assert.Equal(straight.Trials.Select(t => t.Completed?.Objectives), resumed.Trials.Select(t => t.Completed?.Objectives));

        // ASHA promoted without waiting for full rungs, each configuration once per rung, from a completed parent.
        var promotions = resumed.Trials.Where(t => t.Scheduled.Request.Rung > 0).ToArray();
        Assert.NotEmpty(promotions);
        Assert.All(promotions, t => Assert.NotNull(resumed.Trials.Single(p => p.Id == t.Scheduled.Request.Parent).Completed));
        Assert.Equal(3, resumed.Trials.Select(t => t.Scheduled.Request.Bracket).Distinct().Count());
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
    public async Task A_sampler_write_failure_restarts_the_sampler_with_a_fresh_optimizer_and_it_decides_as_if_nothing_happened()
    {
        const string flaky = """
            akka.persistence.journal.sql.class = "NasHpo.Actors.Tests.Engine.FlakySqlJournal, NasHpo.Actors.Tests"
            nashpo.engine.restart-backoff { min = 50ms, max = 500ms }
            """;
        // One device: the study asks for one trial at a time, so its decisions are a function of the seed alone.
        const string study = "seed = 4, problem { type = zdt1, dimensions = 3, delay = 5ms }\noptimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 40 }";
        await using var engine = TestEngine.Start(Database, devices: 1, extraConfig: flaky);
        var clean = await engine.RunToEndAsync("sampler-clean", TestEngine.Study(study), Limit);

        await engine.Studies.Ask<StudyStarting>(new StartStudy("sampler-fails", TestEngine.Study(study)), TimeSpan.FromSeconds(10));
        await engine.WaitForAsync("sampler-fails", s => s.Evaluations >= 10, Limit);
        // A write of decisions: they were applied to the optimizer before the write, so the crashed incarnation's
        // optimizer knows trials that the journal does not.
        FlakySqlJournal.FailNextWrites("sampler-sampler-fails", 1, e => e is NasHpo.Actors.Sampling.TrialProposed);
        var status = await engine.WaitForAsync("sampler-fails", s => s.State == StudyState.Finished, Limit);

        Assert.Equal(1, FlakySqlJournal.Failed);
        Assert.Equal(40, status.Evaluations);
        var expected = await engine.ReadAsync("sampler-clean");
        var actual = await engine.ReadAsync("sampler-fails");
        AssertLedgerIsClean(actual, 40);
        // A restarted sampler that replayed its journal onto the optimizer it crashed with would have applied every
        // decision twice and drifted from here on.
        Assert.Equal(
            expected.Trials.Select(t => (t.Id, t.Scheduled.Request.Configuration.Fingerprint)),
            actual.Trials.Select(t => (t.Id, t.Scheduled.Request.Configuration.Fingerprint)));
        Assert.Equal(clean.Hypervolume, status.Hypervolume);
    }

    [Fact]
    public async Task A_failed_write_of_study_finished_leaves_every_checkpoint_and_the_clean_up_runs_once_it_is_written()
    {
        const string flaky = """
            akka.persistence.journal.sql.class = "NasHpo.Actors.Tests.Engine.FlakySqlJournal, NasHpo.Actors.Tests"
            nashpo.engine.restart-backoff { min = 50ms, max = 200ms }
            """;
        // One budget: every completed trial keeps its checkpoint until the study finishes, then only the front's remain.
        var definition = TestEngine.Study("seed = 9, devices = 2, problem { type = zdt1, dimensions = 4, checkpoints = true }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 30 }");
        await using var engine = TestEngine.Start(Database, devices: 2, extraConfig: flaky);
        var directory = DirectoryCheckpointStore.ForStudy(engine.Host.CheckpointDirectory!, "finish-fails");

        // Every attempt to write StudyFinished fails until told otherwise: the study restarts and tries again.
        FlakySqlJournal.FailNextWrites("study-finish-fails", int.MaxValue, e => e is StudyFinished);
        await engine.Studies.Ask<StudyStarting>(new StartStudy("finish-fails", definition), TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow + Limit;
        while (FlakySqlJournal.Failed < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "StudyFinished was never written");
            await Task.Delay(50);
        }

        var unfinished = await engine.ReadAsync("finish-fails");
        Assert.Null(unfinished.Finished);
        Assert.Equal(30, unfinished.Completed);
        Assert.All(unfinished.Trials, t => Assert.True(
            File.Exists(Path.Combine(directory, DirectoryCheckpointStore.FileName(t.Id))),
            $"the checkpoint of {t.Id} was deleted although the study is not finished"));

        FlakySqlJournal.FailNextWrites("study-finish-fails", 0);
        var status = await engine.WaitForAsync("finish-fails", s => s.State == StudyState.Finished, Limit);
        Assert.Equal("max-evaluations", status.FinishReason);
        Assert.Equal(status.ParetoSize, Directory.GetFiles(directory, "*.ckpt").Length);
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
