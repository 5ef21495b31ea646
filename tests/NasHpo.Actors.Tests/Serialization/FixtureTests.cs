using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Serialization;
using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// Bytes written by v1 of the format (Fixtures/v1/&lt;manifest&gt;.bin) must load in every later version with the same
/// values. The expectations are literal on purpose: they do not come from the samples or from re-serializing, so
/// neither a changed sample nor a changed writer can make a broken reader pass.
/// </summary>
public sealed class FixtureTests : IClassFixture<EngineSerializationFixture>
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "v1");
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 19, 45, 57, 123, TimeSpan.Zero);
    private static readonly TrialId Promoted = new(17, 25.0 / 3);

    private readonly EngineSerializationFixture _engine;

    public FixtureTests(EngineSerializationFixture engine)
    {
        _engine = engine;
    }

    [Fact]
    public void Every_known_manifest_has_a_fixture()
    {
        var missing = NasHpoSerializer.KnownManifests.Where(m => !File.Exists(Path.Combine(FixtureDirectory, m + ".bin"))).ToArray();

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_fixture_names_a_known_manifest_and_loads()
    {
        // A fixture whose manifest is no longer read means journals holding it can no longer be recovered.
        var fixtures = Directory.GetFiles(FixtureDirectory, "*.bin");

        Assert.NotEmpty(fixtures);
        foreach (var path in fixtures)
        {
            var manifest = Path.GetFileNameWithoutExtension(path);
            Assert.Contains(manifest, NasHpoSerializer.KnownManifests);
            Assert.NotNull(Load<object>(manifest));
        }
    }

    [Fact]
    public void Study_created_v1_loads()
    {
        var e = Load<StudyCreated>("study-created.v1");

        Assert.Equal("zdt1-20261122-194557", e.StudyId);
        Assert.Equal(
            "study {\n  seed = 42\n  devices = 2\n  problem { type = zdt1, dimensions = 10, delay = 0ms }\n" +
            "  optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 27 }\n  stop { max-evaluations = 300 }\n" +
            "  # “quoted” comment, non-ASCII on purpose\n}\n",
            e.Definition);
        Assert.Equal(42L, e.Seed);
        Assert.Equal([1.1, 11.0], e.ReferencePoint);
        Assert.Equal(Start, e.CreatedAt);
    }

    [Fact]
    public void Trial_scheduled_v1_loads()
    {
        var e = Load<TrialScheduled>("trial-scheduled.v1");

        AssertPromotedRequest(e.Request);
        Assert.Null(e.Request.Lineage);
        Assert.Equal(Start.AddSeconds(1), e.ScheduledAt);
    }

    [Fact]
    public void Trial_scheduled_v1_with_a_lineage_loads()
    {
        var e = LoadVariant<TrialScheduled>("trial-scheduled.v1", "lineage");

        AssertChildRequest(e.Request);
        Assert.Equal(Start.AddSeconds(6), e.ScheduledAt);
    }

    [Fact]
    public void Trial_proposed_v1_with_a_lineage_loads()
    {
        AssertChildRequest(LoadVariant<TrialProposed>("trial-proposed.v1", "lineage").Request);
    }

    [Fact]
    public void Every_variant_fixture_exists()
    {
        Assert.All(SerializationSamples.FixtureVariants, name => Assert.True(File.Exists(Path.Combine(FixtureDirectory, "variants", SerializationSamples.VariantFileName(name))), name));
    }

    private static void AssertChildRequest(TrialRequest request)
    {
        Assert.Equal(new TrialId(31, 9.0), request.Id);
        Assert.Equal(31L, request.Bracket);
        Assert.Equal(1, request.Rung);
        Assert.Null(request.Parent);
        var lineage = Assert.IsType<TrialLineage>(request.Lineage);
        Assert.Equal(Promoted, lineage.ParentTrial);
        Assert.Equal("wider filters_2", lineage.Operation);
        Assert.Equal(
            "empty=;größe=αβγ ✓;sep=a\\;b\\=c\\\\d;x0=0.5",
            lineage.ParentConfiguration.ToCanonicalString());
        Assert.Equal(7, request.Configuration.Count);
    }

    private T LoadVariant<T>(string manifest, string variant)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "variants", SerializationSamples.VariantFileName($"{manifest}:{variant}")));
        return Assert.IsType<T>(_engine.Serialization.Deserialize(bytes, NasHpoSerializer.Id, manifest), exactMatch: false);
    }

    [Fact]
    public void Trial_started_v1_loads()
    {
        var e = Load<TrialStarted>("trial-started.v1");

        Assert.Equal(new TrialId(4, 1.0), e.Trial);
        Assert.Equal("cpu-0", e.Device);
        Assert.Equal(Start.AddSeconds(3), e.StartedAt);
    }

    [Fact]
    public void Trial_completed_v1_loads()
    {
        var e = Load<TrialCompleted>("trial-completed.v1");

        Assert.Equal(Promoted, e.Trial);
        Assert.Equal([0.123456789012345, double.MinValue, double.Epsilon], e.Objectives);
        Assert.Equal(3, e.Metrics.Count);
        Assert.Equal(0.0731, e.Metrics["test-error"]);
        Assert.Equal(-0.5, e.Metrics["train-loss"]);
        Assert.Equal(1.2e6, e.Metrics["parameters"]);
        Assert.Equal(TimeSpan.FromTicks(12_345_678_901), e.Duration);
        Assert.Equal("cpu-1", e.Device);
        Assert.Equal(Start.AddSeconds(4), e.CompletedAt);
    }

    [Fact]
    public void Trial_failed_v1_loads()
    {
        var e = Load<TrialFailed>("trial-failed.v1");

        Assert.Equal(new TrialId(9, 3.0), e.Trial);
        Assert.Equal("workload threw InvalidOperationException: loss diverged (NaN at step 12)", e.Reason);
        Assert.Equal("cpu-2", e.Device);
        Assert.Equal(Start.AddSeconds(5), e.FailedAt);
    }

    [Fact]
    public void Study_finished_v1_loads()
    {
        var e = Load<StudyFinished>("study-finished.v1");

        Assert.Equal("max-evaluations 300 reached", e.Reason);
        Assert.Equal(Start.AddMinutes(10), e.FinishedAt);
    }

    [Fact]
    public void Trial_proposed_v1_loads()
    {
        var e = Load<TrialProposed>("trial-proposed.v1");

        AssertFreshRequest(e.Request);
    }

    [Fact]
    public void Result_observed_v1_loads()
    {
        var e = Load<ResultObserved>("result-observed.v1");

        AssertObserved(e.Result);
    }

    [Fact]
    public void Sampler_snapshot_v1_loads()
    {
        var s = Load<SamplerSnapshot>("sampler-snapshot.v1");

        Assert.Collection(
            s.Facts,
            f => AssertFreshRequest(Assert.IsType<TrialProposed>(f).Request),
            f => AssertPromotedRequest(Assert.IsType<TrialProposed>(f).Request),
            f => AssertObserved(Assert.IsType<ResultObserved>(f).Result),
            f =>
            {
                var failure = Assert.IsType<ResultObserved>(f).Result;
                Assert.Equal(new TrialId(9, 3.0), failure.Id);
                Assert.True(failure.Failed);
                Assert.Null(failure.Objectives);
                Assert.Equal("loss diverged: NaN at step 12", failure.FailureReason);
            });
    }

    [Fact]
    public void Evaluation_archived_v1_loads()
    {
        var e = Load<EvaluationArchived>("evaluation-archived.v1");

        AssertLaterArchived(e);
    }

    [Fact]
    public void Archive_snapshot_v1_loads()
    {
        var s = Load<ArchiveSnapshot>("archive-snapshot.v1");

        Assert.Collection(
            s.Evaluations,
            e =>
            {
                Assert.Equal(new TrialId(4, 1.0), e.Trial);
                Assert.Equal([0.9, 1.0 / 3], e.Objectives);
                Assert.Equal(TimeSpan.FromTicks(1), e.Elapsed);
                Assert.Equal(0.0, e.Hypervolume);
            },
            AssertLaterArchived);
    }

    private static void AssertPromotedRequest(TrialRequest request)
    {
        Assert.Equal(Promoted, request.Id);
        Assert.Equal(2L, request.Bracket);
        Assert.Equal(1, request.Rung);
        Assert.Equal(new TrialId(17, 25.0 / 9), request.Parent);
        AssertValues(
            request.Configuration,
            ("activation", ParameterValue.Of("relu")),
            ("batch-norm", ParameterValue.Of(1.0)),
            ("dropout", ParameterValue.Of(0.0)),
            ("kernel", ParameterValue.Of("5")),
            ("layers", ParameterValue.Of(3.0)),
            ("lr", ParameterValue.Of(0.001234)),
            ("weight-decay", ParameterValue.Of(-2.5e-7)));
    }

    private static void AssertFreshRequest(TrialRequest request)
    {
        Assert.Equal(new TrialId(23, 1.0), request.Id);
        Assert.Equal(0L, request.Bracket);
        Assert.Equal(0, request.Rung);
        Assert.Null(request.Parent);
        AssertValues(
            request.Configuration,
            ("empty", ParameterValue.Of(string.Empty)),
            ("größe", ParameterValue.Of("αβγ ✓")),
            ("sep", ParameterValue.Of("a;b=c\\d")),
            ("x0", ParameterValue.Of(0.5)));
    }

    private static void AssertObserved(TrialResult result)
    {
        Assert.Equal(Promoted, result.Id);
        Assert.False(result.Failed);
        Assert.Equal([0.25, 7.5], result.Objectives!);
        Assert.Null(result.FailureReason);
    }

    private static void AssertLaterArchived(EvaluationArchived e)
    {
        Assert.Equal(Promoted, e.Trial);
        Assert.Equal([0.3, 4.2], e.Objectives);
        Assert.Equal(TimeSpan.FromMilliseconds(62_500), e.Elapsed);
        Assert.Equal(117.25, e.Hypervolume);
    }

    /// <summary>Every parameter in ordinal order, a text as text and a number as the exact same double.</summary>
    private static void AssertValues(SearchConfiguration configuration, params (string Name, ParameterValue Value)[] expected)
    {
        Assert.Equal(expected.Select(v => v.Name), configuration.Values.Keys);
        foreach (var (name, value) in expected)
        {
            var actual = configuration.Values[name];
            Assert.Equal(value.Text, actual.Text);
            if (value.Text is null)
            {
                Assert.Equal(value.Number, actual.Number);
            }
        }
    }

    [Fact]
    public void Run_portable_trial_v1_loads()
    {
        var m = Load<RunPortableTrial>("run-portable-trial.v1");

        Assert.Equal(Promoted, m.Request.Id);
        Assert.Equal(new TrialId(17, 25.0 / 9), m.Request.Parent);
        Assert.Equal("relu", m.Request.Configuration.Values["activation"].Text);
        Assert.Equal("zdt1-20261122-194557", m.Execution.StudyId);
        Assert.StartsWith("study {\n  seed = 42\n", m.Execution.DefinitionHocon, StringComparison.Ordinal);
        Assert.Equal("/shared/checkpoints/zdt1-20261122-194557", m.Execution.CheckpointDirectory);
        Assert.True(m.Execution.ContinueFromParent);

        // Written before runs could be queued on a busy device: a plain run.
        Assert.False(m.Queued);
    }

    [Fact]
    public void Trial_run_started_v1_loads()
    {
        var m = Load<TrialRunStarted>("trial-run-started.v1");

        Assert.Equal((new TrialId(4, 2), "cpu-1@10.0.0.7:4053"), (m.Trial, m.DeviceName));
    }

    [Fact]
    public void Device_worked_v1_loads()
    {
        var m = Load<DeviceWorked>("device-worked.v1");

        Assert.Equal(("cpu-1@10.0.0.7:4053", new TrialId(4, 3), TimeSpan.FromTicks(515_000)), (m.DeviceName, m.Trial, m.Duration));
    }

    [Fact]
    public void Trial_run_finished_v1_loads()
    {
        var m = Load<TrialRunFinished>("trial-run-finished.v1");

        Assert.Equal(Promoted, m.Trial);
        Assert.Equal([0.0731, 1.2e6], m.Result!.Objectives);
        Assert.Equal(2.0, m.Result.Metrics["checkpoint-chain"]);
        Assert.Null(m.FailureReason);
        Assert.Equal(TimeSpan.FromTicks(12_345_678), m.Duration);
        Assert.Equal("cpu-1@10.0.0.7:4053", m.DeviceName);
    }

    [Fact]
    public void Study_journal_v1_loads_its_events()
    {
        var m = Load<StudyJournal>("study-journal.v1");

        Assert.Equal("zdt1-20261122-194557", m.StudyId);
        Assert.Collection(
            m.Events,
            e => Assert.Equal(42, Assert.IsType<StudyCreated>(e).Seed),
            e => Assert.Equal(Promoted, Assert.IsType<TrialScheduled>(e).Request.Id),
            e => Assert.Equal("cpu-0@10.0.0.7:4053", Assert.IsType<TrialStarted>(e).Device),
            e => Assert.Equal(117.25, Assert.IsType<EvaluationArchived>(e).Hypervolume));
    }

    [Fact]
    public void Devices_announced_and_withdrawn_v1_load()
    {
        Assert.Equal("akka.tcp://nashpo@10.0.0.7:4053", Load<DevicesAnnounced>("devices-announced.v1").Node);
        Assert.Equal("akka.ssl.tcp://nashpo@node-b.example:4053", Load<DevicesWithdrawn>("devices-withdrawn.v1").Node);
        var submitted = Load<StudySubmitted>("study-submitted.v1");
        Assert.True(submitted.Accepted);
        Assert.Null(submitted.Refusal);
    }

    private T Load<T>(string manifest)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, manifest + ".bin"));
        return Assert.IsType<T>(_engine.Serialization.Deserialize(bytes, NasHpoSerializer.Id, manifest), exactMatch: false);
    }
}
