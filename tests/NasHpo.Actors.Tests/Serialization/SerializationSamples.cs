using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Core.Workloads;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// Deterministic, realistic instances of every type the serializer binds. The entry named exactly after a manifest
/// is the one written to Fixtures/v1; entries named "manifest:variant" cover edge cases in round trips only.
/// </summary>
/// <remarks>
/// Timestamps are whole milliseconds in UTC because the wire format stores Unix milliseconds: anything finer, or an
/// offset, is normalised away by design (see <c>Timestamps_keep_the_instant_to_the_millisecond_and_come_back_in_utc</c>).
/// </remarks>
internal static class SerializationSamples
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 19, 45, 57, 123, TimeSpan.Zero);

    /// <summary>A 25/3 budget is what eta = 3 gives between 25/9 and 25: it has no finite binary expansion.</summary>
    public static readonly TrialId Promoted = new(17, 25.0 / 3);

    public static readonly TrialId PromotedParent = new(17, 25.0 / 9);

    /// <summary>Numbers (fractional, integral, zero, boolean, tiny negative) and choice texts, one of them numeric.</summary>
    public static readonly SearchConfiguration Network = Configure(
        ("lr", ParameterValue.Of(0.001234)),
        ("layers", ParameterValue.Of(3)),
        ("activation", ParameterValue.Of("relu")),
        ("kernel", ParameterValue.Of("5")),
        ("dropout", ParameterValue.Of(0.0)),
        ("batch-norm", ParameterValue.Of(true)),
        ("weight-decay", ParameterValue.Of(-2.5e-7)));

    /// <summary>Texts with the canonical string's escape characters, non-ASCII letters and an empty choice.</summary>
    public static readonly SearchConfiguration Awkward = Configure(
        ("x0", ParameterValue.Of(0.5)),
        ("sep", ParameterValue.Of("a;b=c\\d")),
        ("größe", ParameterValue.Of("αβγ ✓")),
        ("empty", ParameterValue.Of(string.Empty)));

    /// <summary>The largest finite magnitudes and the smallest subnormal a configuration accepts.</summary>
    public static readonly SearchConfiguration Extreme = Configure(
        ("max", ParameterValue.Of(double.MaxValue)),
        ("min", ParameterValue.Of(double.MinValue)),
        ("subnormal", ParameterValue.Of(-double.Epsilon)),
        ("integer-limit", ParameterValue.Of(9007199254740992.0)));

    public static readonly TrialRequest PromotedRequest = new(Promoted, Network, 2, 1, PromotedParent);

    public static readonly TrialRequest FreshRequest = new(new TrialId(23, 1), Awkward, 0, 0, null);

    /// <summary>A BULK &amp; CUT child: configuration 31, made from trial 17's network by widening a layer.</summary>
    public static readonly TrialRequest ChildRequest = new(new TrialId(31, 9), Network, 31, 1, null, new TrialLineage(Promoted, Awkward, "wider filters_2"));

    public static readonly TrialResult Observed = TrialResult.Completed(Promoted, [0.25, 7.5]);

    public static readonly TrialResult Failure = TrialResult.Failure(new TrialId(9, 3), "loss diverged: NaN at step 12");

    public static readonly string StudyDefinitionText =
        "study {\n  seed = 42\n  devices = 2\n  problem { type = zdt1, dimensions = 10, delay = 0ms }\n" +
        "  optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 27 }\n  stop { max-evaluations = 300 }\n" +
        "  # “quoted” comment, non-ASCII on purpose\n}\n";

    public static readonly EvaluationArchived Archived = new(Promoted, [0.3, 4.2], TimeSpan.FromMilliseconds(62_500), 117.25);

    public static readonly EvaluationArchived ArchivedEarlier = new(new TrialId(4, 1), [0.9, 1.0 / 3], TimeSpan.FromTicks(1), 0.0);

    /// <summary>Every sample by name; the first entry per manifest has the manifest's exact name.</summary>
    public static IReadOnlyDictionary<string, object> All { get; } = new Dictionary<string, object>
    {
        ["study-created.v1"] = new StudyCreated("zdt1-20261122-194557", StudyDefinitionText, 42, [1.1, 11], Start),
        ["study-created.v1:extreme-seed"] = new StudyCreated("s", string.Empty, long.MinValue, [], DateTimeOffset.UnixEpoch),
        ["study-created.v1:max-seed"] = new StudyCreated("s.2_x-y", "study {}", long.MaxValue, [-1e-300, 1e300], Start.AddYears(-60)),

        ["trial-scheduled.v1"] = new TrialScheduled(PromotedRequest, Start.AddSeconds(1)),
        ["trial-scheduled.v1:fresh"] = new TrialScheduled(FreshRequest, Start.AddSeconds(2)),
        ["trial-scheduled.v1:extreme"] = new TrialScheduled(
            new TrialRequest(new TrialId(long.MaxValue, double.MaxValue), Extreme, long.MaxValue, int.MaxValue, new TrialId(long.MinValue, double.Epsilon)),
            Start),
        ["trial-scheduled.v1:empty-configuration"] = new TrialScheduled(
            new TrialRequest(new TrialId(0, 0), Configure(), 0, 0, new TrialId(0, 0)), Start),
        ["trial-scheduled.v1:lineage"] = new TrialScheduled(ChildRequest, Start.AddSeconds(6)),

        ["trial-started.v1"] = new TrialStarted(new TrialId(4, 1), "cpu-0", Start.AddSeconds(3)),
        ["trial-started.v1:remote"] = new TrialStarted(Promoted, "gpu-1@node-b.example:4053", Start.AddMilliseconds(1)),

        ["trial-completed.v1"] = new TrialCompleted(
            Promoted,
            [0.123456789012345, double.MinValue, double.Epsilon],
            new Dictionary<string, double> { ["test-error"] = 0.0731, ["train-loss"] = -0.5, ["parameters"] = 1.2e6 },
            TimeSpan.FromTicks(12_345_678_901),
            "cpu-1",
            Start.AddSeconds(4)),
        ["trial-completed.v1:curve"] = new TrialCompleted(
            Promoted, [0.2, 3], new Dictionary<string, double> { ["start-epoch"] = 3 }, TimeSpan.FromSeconds(2), "cuda-0", Start, "trial-4-b9")
        {
            Curve =
            [
                new CurvePoint(4, new Dictionary<string, double> { ["epoch"] = 4, ["val-error"] = 0.3 }),
                new CurvePoint(5, new Dictionary<string, double> { ["epoch"] = 5, ["val-error"] = double.NaN, ["train-loss"] = 0.5 }),
            ],
        },
        ["trial-completed.v1:empty"] = new TrialCompleted(
            new TrialId(1, 1), [], new Dictionary<string, double>(), TimeSpan.Zero, string.Empty, Start),
        ["trial-completed.v1:non-finite"] = new TrialCompleted(
            new TrialId(-1, 25.0 / 3),
            [double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, -double.Epsilon, -0.0],
            new Dictionary<string, double> { [string.Empty] = double.NaN, ["ünïcode"] = double.NegativeInfinity, ["zero"] = 0.0 },
            TimeSpan.FromTicks(-5),
            "cpu-0",
            Start),

        ["trial-failed.v1"] = new TrialFailed(
            new TrialId(9, 3), "workload threw InvalidOperationException: loss diverged (NaN at step 12)", "cpu-2", Start.AddSeconds(5)),
        ["trial-failed.v1:multiline"] = new TrialFailed(Promoted, "line one\nline two\ttabbed “quoted”", "gpu-0", Start),

        ["study-finished.v1"] = new StudyFinished("max-evaluations 300 reached", Start.AddMinutes(10)),
        ["study-finished.v1:pre-epoch"] = new StudyFinished(string.Empty, DateTimeOffset.UnixEpoch.AddMilliseconds(-1)),

        ["trial-proposed.v1"] = new TrialProposed(FreshRequest),
        ["trial-proposed.v1:promoted"] = new TrialProposed(PromotedRequest),
        ["trial-proposed.v1:lineage"] = new TrialProposed(ChildRequest),

        ["result-observed.v1"] = new ResultObserved(Observed),
        ["result-observed.v1:failure"] = new ResultObserved(Failure),
        ["result-observed.v1:no-objectives"] = new ResultObserved(TrialResult.Completed(new TrialId(2, 9), [])),

        ["sampler-snapshot.v1"] = new SamplerSnapshot(
            [new TrialProposed(FreshRequest), new TrialProposed(PromotedRequest), new ResultObserved(Observed), new ResultObserved(Failure)]),
        ["sampler-snapshot.v1:empty"] = new SamplerSnapshot([]),

        ["evaluation-archived.v1"] = Archived,
        ["evaluation-archived.v1:first"] = ArchivedEarlier,
        ["evaluation-archived.v1:no-objectives"] = new EvaluationArchived(new TrialId(3, 27), [], TimeSpan.MaxValue, double.MaxValue),

        ["archive-snapshot.v1"] = new ArchiveSnapshot([ArchivedEarlier, Archived]),
        ["archive-snapshot.v1:empty"] = new ArchiveSnapshot([]),

        // Between nodes. Announcements with actor references are round-tripped with a live actor system in
        // ClusterMessageTests; the fixture holds the node's address and an empty list.
        ["devices-announced.v1"] = new DevicesAnnounced("akka.tcp://nashpo@10.0.0.7:4053", []),
        ["devices-withdrawn.v1"] = new DevicesWithdrawn("akka.ssl.tcp://nashpo@node-b.example:4053"),
        ["run-portable-trial.v1"] = new RunPortableTrial(PromotedRequest, new PortableExecution("zdt1-20261122-194557", StudyDefinitionText, "/shared/checkpoints/zdt1-20261122-194557", true)),
        ["run-portable-trial.v1:no-checkpoints"] = new RunPortableTrial(FreshRequest, new PortableExecution("s", string.Empty, null, false)),
        ["run-portable-trial.v1:queued"] = new RunPortableTrial(FreshRequest, new PortableExecution("s", string.Empty, null, false)) { Queued = true },
        ["cancel-trial.v1"] = new CancelTrial(Promoted),
        ["trial-run-finished.v1"] = new TrialRunFinished(
            Promoted,
            new WorkloadResult([0.0731, 1.2e6], new Dictionary<string, double> { ["test-error"] = 0.08, ["checkpoint-chain"] = 2 }),
            null,
            TimeSpan.FromTicks(12_345_678),
            "cpu-1@10.0.0.7:4053"),
        ["trial-run-finished.v1:curve"] = new TrialRunFinished(
            Promoted,
            new WorkloadResult([0.2], new Dictionary<string, double>()) { Curve = [new CurvePoint(1, new Dictionary<string, double> { ["loss"] = 0.7 })] },
            null,
            TimeSpan.FromTicks(5),
            "cpu-0@10.0.0.7:4053"),
        ["trial-run-finished.v1:failed"] = new TrialRunFinished(new TrialId(9, 3), null, "cancelled", TimeSpan.Zero, "cuda-0@node-b.example:4053"),
        ["trial-run-progress.v1"] = new TrialRunProgress(Promoted, new WorkloadProgress(3, 9, "epoch 3: loss 0.41"), "cpu-0@10.0.0.7:4053"),
        ["trial-run-progress.v1:no-note"] = new TrialRunProgress(Promoted, new WorkloadProgress(0.5, 1), "cpu-0"),
        ["trial-run-started.v1"] = new TrialRunStarted(new TrialId(4, 2), "cpu-1@10.0.0.7:4053"),
        ["device-busy.v1"] = new DeviceBusy(new TrialId(4, 1), "cpu-0@10.0.0.7:4053"),
        ["device-worked.v1"] = new DeviceWorked("cpu-1@10.0.0.7:4053", new TrialId(4, 3), TimeSpan.FromTicks(515_000)),
        ["submit-study.v1"] = new SubmitStudy("zdt1-20261122-194557", StudyDefinitionText),
        ["study-submitted.v1"] = new StudySubmitted("zdt1-20261122-194557", true, null),
        ["study-submitted.v1:refused"] = new StudySubmitted("s", false, "study \"s\" already exists"),
        ["cancel-study.v1"] = new CancelStudy("zdt1-20261122-194557"),
        ["study-cancelled.v1"] = new StudyCancelled("zdt1-20261122-194557", true, null),
        ["study-cancelled.v1:not-found"] = new StudyCancelled("s", false, "already finished (max-evaluations)"),
        ["list-studies.v1"] = new ListStudies(),
        ["studies-listed.v1"] = new StudiesListed(["a", "zdt1-20261122-194557"]),
        ["studies-listed.v1:none"] = new StudiesListed([]),
        ["get-study-journal.v1"] = new GetStudyJournal("zdt1-20261122-194557"),
        ["study-journal.v1"] = new StudyJournal("zdt1-20261122-194557", [
            new StudyCreated("zdt1-20261122-194557", StudyDefinitionText, 42, [1.1, 11], Start),
            new TrialScheduled(PromotedRequest, Start.AddSeconds(1)),
            new TrialStarted(Promoted, "cpu-0@10.0.0.7:4053", Start.AddSeconds(2)),
            Archived,
        ]),
        ["study-journal.v1:unknown"] = new StudyJournal("nope", []),
    };

    /// <summary>
    /// Samples of shapes that a later version added to an existing manifest (new fields), written to
    /// Fixtures/v1/variants as "{manifest}+{variant}.bin" and kept like the manifests' own fixtures.
    /// </summary>
    public static IReadOnlyList<string> FixtureVariants { get; } = ["trial-scheduled.v1:lineage", "trial-proposed.v1:lineage"];

    public static string VariantFileName(string name) => name.Replace(':', '+') + ".bin";

    /// <summary>The sample written to Fixtures/v1 for a manifest.</summary>
    public static object ForManifest(string manifest) => All[manifest];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    public static string ManifestOf(string sampleName) => sampleName.Split(':')[0];

    private static SearchConfiguration Configure(params (string Name, ParameterValue Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, ParameterValue>(v.Name, v.Value)));
}
