using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Serialization.Proto;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Serialization;

/// <summary>
/// The one serializer for everything NasHpo persists or sends between nodes: Protobuf bytes with short, versioned
/// manifests. A manifest is a frozen name: renaming one orphans every journal that holds it, so a changed format
/// gets a new manifest (".v2") and the old one keeps loading. Unknown manifests are refused, never guessed.
/// </summary>
public sealed class NasHpoSerializer : SerializerWithStringManifest
{
    /// <summary>Akka reserves identifiers up to 100; this one is NasHpo's, frozen like the manifests.</summary>
    public const int Id = 7142;

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(StudyCreated)] = "study-created.v1",
        [typeof(TrialScheduled)] = "trial-scheduled.v1",
        [typeof(TrialStarted)] = "trial-started.v1",
        [typeof(TrialCompleted)] = "trial-completed.v1",
        [typeof(TrialFailed)] = "trial-failed.v1",
        [typeof(StudyFinished)] = "study-finished.v1",
        [typeof(TrialProposed)] = "trial-proposed.v1",
        [typeof(ResultObserved)] = "result-observed.v1",
        [typeof(SamplerSnapshot)] = "sampler-snapshot.v1",
        [typeof(EvaluationArchived)] = "evaluation-archived.v1",
        [typeof(ArchiveSnapshot)] = "archive-snapshot.v1",
    };

    private static readonly Dictionary<string, Func<byte[], object>> Readers = new()
    {
        ["study-created.v1"] = bytes => FromProto(StudyCreatedData.Parser.ParseFrom(bytes)),
        ["trial-scheduled.v1"] = bytes => FromProto(TrialScheduledData.Parser.ParseFrom(bytes)),
        ["trial-started.v1"] = bytes => FromProto(TrialStartedData.Parser.ParseFrom(bytes)),
        ["trial-completed.v1"] = bytes => FromProto(TrialCompletedData.Parser.ParseFrom(bytes)),
        ["trial-failed.v1"] = bytes => FromProto(TrialFailedData.Parser.ParseFrom(bytes)),
        ["study-finished.v1"] = bytes => FromProto(StudyFinishedData.Parser.ParseFrom(bytes)),
        ["trial-proposed.v1"] = bytes => new TrialProposed(TrialProposedData.Parser.ParseFrom(bytes).Request.FromData()),
        ["result-observed.v1"] = bytes => new ResultObserved(ResultObservedData.Parser.ParseFrom(bytes).Result.FromData()),
        ["sampler-snapshot.v1"] = bytes => FromProto(SamplerSnapshotData.Parser.ParseFrom(bytes)),
        ["evaluation-archived.v1"] = bytes => FromProto(EvaluationArchivedData.Parser.ParseFrom(bytes)),
        ["archive-snapshot.v1"] = bytes => new ArchiveSnapshot(ArchiveSnapshotData.Parser.ParseFrom(bytes).Evaluations.Select(FromProto).ToArray()),
    };

    public NasHpoSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => Id;

    public static IReadOnlyCollection<string> KnownManifests => Readers.Keys;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"NasHpoSerializer cannot serialize {o.GetType().FullName}");

    public override byte[] ToBinary(object obj) => ToProto(obj).ToByteArray();

    public override object FromBinary(byte[] bytes, string manifest) =>
        Readers.TryGetValue(manifest, out var read)
            ? read(bytes)
            : throw new SerializationException($"unknown manifest \"{manifest}\": this journal was written by a newer or foreign version");

    private static IMessage ToProto(object obj) => obj switch
    {
        StudyCreated e => new StudyCreatedData
        {
            StudyId = e.StudyId,
            Definition = e.Definition,
            Seed = e.Seed,
            ReferencePoint = { e.ReferencePoint },
            CreatedAtUnixMs = e.CreatedAt.ToUnixMs(),
        },
        TrialScheduled e => new TrialScheduledData { Request = e.Request.ToData(), ScheduledAtUnixMs = e.ScheduledAt.ToUnixMs() },
        TrialStarted e => new TrialStartedData { Trial = e.Trial.ToData(), Device = e.Device, StartedAtUnixMs = e.StartedAt.ToUnixMs() },
        TrialCompleted e => new TrialCompletedData
        {
            Trial = e.Trial.ToData(),
            Objectives = { e.Objectives },
            Metrics = { e.Metrics.ToDictionary(p => p.Key, p => p.Value) },
            DurationTicks = e.Duration.Ticks,
            Device = e.Device,
            CompletedAtUnixMs = e.CompletedAt.ToUnixMs(),
            Checkpoint = e.Checkpoint ?? string.Empty,
        },
        TrialFailed e => new TrialFailedData { Trial = e.Trial.ToData(), Reason = e.Reason, Device = e.Device, FailedAtUnixMs = e.FailedAt.ToUnixMs() },
        StudyFinished e => new StudyFinishedData { Reason = e.Reason, FinishedAtUnixMs = e.FinishedAt.ToUnixMs() },
        TrialProposed e => new TrialProposedData { Request = e.Request.ToData() },
        ResultObserved e => new ResultObservedData { Result = e.Result.ToData() },
        SamplerSnapshot s => new SamplerSnapshotData { Facts = { s.Facts.Select(ToFact) } },
        EvaluationArchived e => ToProto(e),
        ArchiveSnapshot s => new ArchiveSnapshotData { Evaluations = { s.Evaluations.Select(ToProto) } },
        _ => throw new SerializationException($"NasHpoSerializer cannot serialize {obj.GetType().FullName}"),
    };

    private static SamplerFactData ToFact(ISamplerEvent fact) => fact switch
    {
        TrialProposed p => new SamplerFactData { Proposed = new TrialProposedData { Request = p.Request.ToData() } },
        ResultObserved o => new SamplerFactData { Observed = new ResultObservedData { Result = o.Result.ToData() } },
        _ => throw new SerializationException($"unknown sampler fact {fact.GetType().FullName}"),
    };

    private static EvaluationArchivedData ToProto(EvaluationArchived e) => new()
    {
        Trial = e.Trial.ToData(),
        Objectives = { e.Objectives },
        ElapsedTicks = e.Elapsed.Ticks,
        Hypervolume = e.Hypervolume,
    };

    private static StudyCreated FromProto(StudyCreatedData d) =>
        new(d.StudyId, d.Definition, d.Seed, d.ReferencePoint.ToArray(), ProtoMapping.FromUnixMs(d.CreatedAtUnixMs));

    private static TrialScheduled FromProto(TrialScheduledData d) =>
        new(d.Request.FromData(), ProtoMapping.FromUnixMs(d.ScheduledAtUnixMs));

    private static TrialStarted FromProto(TrialStartedData d) =>
        new(d.Trial.FromData(), d.Device, ProtoMapping.FromUnixMs(d.StartedAtUnixMs));

    private static TrialCompleted FromProto(TrialCompletedData d) =>
        new(d.Trial.FromData(), d.Objectives.ToArray(), d.Metrics.ToDictionary(p => p.Key, p => p.Value),
            TimeSpan.FromTicks(d.DurationTicks), d.Device, ProtoMapping.FromUnixMs(d.CompletedAtUnixMs),
            d.Checkpoint.Length == 0 ? null : d.Checkpoint);

    private static TrialFailed FromProto(TrialFailedData d) =>
        new(d.Trial.FromData(), d.Reason, d.Device, ProtoMapping.FromUnixMs(d.FailedAtUnixMs));

    private static StudyFinished FromProto(StudyFinishedData d) => new(d.Reason, ProtoMapping.FromUnixMs(d.FinishedAtUnixMs));

    private static SamplerSnapshot FromProto(SamplerSnapshotData d) =>
        new(d.Facts.Select(f => f.FactCase switch
        {
            SamplerFactData.FactOneofCase.Proposed => (ISamplerEvent)new TrialProposed(f.Proposed.Request.FromData()),
            SamplerFactData.FactOneofCase.Observed => new ResultObserved(f.Observed.Result.FromData()),
            _ => throw new SerializationException("sampler snapshot holds an empty fact"),
        }).ToArray());

    private static EvaluationArchived FromProto(EvaluationArchivedData d) =>
        new(d.Trial.FromData(), d.Objectives.ToArray(), TimeSpan.FromTicks(d.ElapsedTicks), d.Hypervolume);
}
