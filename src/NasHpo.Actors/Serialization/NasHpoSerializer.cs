using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Serialization.Proto;
using NasHpo.Actors.Studies;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Serialization;

/// <summary>
/// The one serializer for everything NasHpo persists or sends between nodes: Protobuf bytes with short, versioned
/// manifests. A manifest is a frozen name: renaming one orphans every journal that holds it, so a changed format
/// gets a new manifest (".v2") and the old one keeps loading. Unknown manifests are refused, never guessed.
/// </summary>
internal sealed class NasHpoSerializer : SerializerWithStringManifest
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
        [typeof(DevicesAnnounced)] = "devices-announced.v1",
        [typeof(DevicesWithdrawn)] = "devices-withdrawn.v1",
        [typeof(RunPortableTrial)] = "run-portable-trial.v1",
        [typeof(CancelTrial)] = "cancel-trial.v1",
        [typeof(TrialRunStarted)] = "trial-run-started.v1",
        [typeof(TrialRunFinished)] = "trial-run-finished.v1",
        [typeof(TrialRunProgress)] = "trial-run-progress.v1",
        [typeof(DeviceBusy)] = "device-busy.v1",
        [typeof(DeviceWorked)] = "device-worked.v1",
        [typeof(SubmitStudy)] = "submit-study.v1",
        [typeof(StudySubmitted)] = "study-submitted.v1",
        [typeof(CancelStudy)] = "cancel-study.v1",
        [typeof(StudyCancelled)] = "study-cancelled.v1",
        [typeof(ListStudies)] = "list-studies.v1",
        [typeof(StudiesListed)] = "studies-listed.v1",
        [typeof(GetStudyJournal)] = "get-study-journal.v1",
        [typeof(StudyJournal)] = "study-journal.v1",
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
        ["devices-withdrawn.v1"] = bytes => new DevicesWithdrawn(DevicesWithdrawnData.Parser.ParseFrom(bytes).Node),
        ["cancel-trial.v1"] = bytes => new CancelTrial(CancelTrialData.Parser.ParseFrom(bytes).Trial.FromData()),
        ["trial-run-started.v1"] = bytes => FromProto(TrialRunStartedData.Parser.ParseFrom(bytes)),
        ["trial-run-finished.v1"] = bytes => FromProto(TrialRunFinishedData.Parser.ParseFrom(bytes)),
        ["trial-run-progress.v1"] = bytes => FromProto(TrialRunProgressData.Parser.ParseFrom(bytes)),
        ["device-busy.v1"] = bytes => FromProto(DeviceBusyData.Parser.ParseFrom(bytes)),
        ["device-worked.v1"] = bytes => FromProto(DeviceWorkedData.Parser.ParseFrom(bytes)),
        ["submit-study.v1"] = bytes => FromProto(SubmitStudyData.Parser.ParseFrom(bytes)),
        ["study-submitted.v1"] = bytes => FromProto(StudySubmittedData.Parser.ParseFrom(bytes)),
        ["cancel-study.v1"] = bytes => new CancelStudy(CancelStudyData.Parser.ParseFrom(bytes).StudyId),
        ["study-cancelled.v1"] = bytes => FromProto(StudyCancelledData.Parser.ParseFrom(bytes)),
        ["list-studies.v1"] = _ => new ListStudies(),
        ["studies-listed.v1"] = bytes => new StudiesListed(StudiesListedData.Parser.ParseFrom(bytes).StudyIds.ToArray()),
        ["get-study-journal.v1"] = bytes => new GetStudyJournal(GetStudyJournalData.Parser.ParseFrom(bytes).StudyId),
    };

    public NasHpoSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => Id;

    /// <summary>Every manifest this serializer reads, including those whose reading needs the actor system.</summary>
    public static IReadOnlyCollection<string> KnownManifests => [.. Readers.Keys, .. SystemReaders];

    // Manifests whose messages hold actor references or nested events: read with this instance's actor system.
    private static readonly string[] SystemReaders = ["devices-announced.v1", "study-journal.v1", "run-portable-trial.v1"];

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"NasHpoSerializer cannot serialize {o.GetType().FullName}");

    public override byte[] ToBinary(object obj) => obj switch
    {
        DevicesAnnounced e => new DevicesAnnouncedData
        {
            Node = e.Node,
            Devices = { e.Devices.Select(d => new DeviceRefData { Name = d.Name, ActorPath = Akka.Serialization.Serialization.SerializedActorPath(d.Device) }) },
        }.ToByteArray(),
        StudyJournal e => new StudyJournalData
        {
            StudyId = e.StudyId,
            Events = { e.Events.Select(x => new JournalEventData { Manifest = Manifest(x), Payload = ByteString.CopyFrom(ToBinary(x)) }) },
        }.ToByteArray(),
        _ => ToProto(obj).ToByteArray(),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "devices-announced.v1" => FromProto(DevicesAnnouncedData.Parser.ParseFrom(bytes)),
        "study-journal.v1" => FromProto(StudyJournalData.Parser.ParseFrom(bytes)),
        "run-portable-trial.v1" => FromProto(RunPortableTrialData.Parser.ParseFrom(bytes)),
        _ => Readers.TryGetValue(manifest, out var read)
            ? read(bytes)
            : throw new UnknownManifestException(manifest),
    };

    private DevicesAnnounced FromProto(DevicesAnnouncedData d) =>
        new(d.Node, d.Devices.Select(x => new AnnouncedDevice(x.Name, system.Provider.ResolveActorRef(x.ActorPath))).ToArray());

    private StudyJournal FromProto(StudyJournalData d) =>
        new(d.StudyId, d.Events.Select(x => FromBinary(x.Payload.ToByteArray(), x.Manifest)).ToArray());

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
            Curve = { e.Curve.Select(ToProto) },
        },
        TrialFailed e => new TrialFailedData { Trial = e.Trial.ToData(), Reason = e.Reason, Device = e.Device, FailedAtUnixMs = e.FailedAt.ToUnixMs() },
        StudyFinished e => new StudyFinishedData { Reason = e.Reason, FinishedAtUnixMs = e.FinishedAt.ToUnixMs() },
        TrialProposed e => new TrialProposedData { Request = e.Request.ToData() },
        ResultObserved e => new ResultObservedData { Result = e.Result.ToData() },
        SamplerSnapshot s => new SamplerSnapshotData { Facts = { s.Facts.Select(ToFact) } },
        EvaluationArchived e => ToProto(e),
        ArchiveSnapshot s => new ArchiveSnapshotData { Evaluations = { s.Evaluations.Select(ToProto) } },
        DevicesWithdrawn m => new DevicesWithdrawnData { Node = m.Node },
        RunPortableTrial m => new RunPortableTrialData
        {
            Request = m.Request.ToData(),
            Execution = new PortableExecutionData
            {
                StudyId = m.Execution.StudyId,
                Definition = m.Execution.DefinitionHocon,
                CheckpointDirectory = m.Execution.CheckpointDirectory ?? string.Empty,
                ContinueFromParent = m.Execution.ContinueFromParent,
            },
            LeaseHolder = m.LeaseHolder is { } holder ? Akka.Serialization.Serialization.SerializedActorPath(holder) : string.Empty,
            Queued = m.Queued,
        },
        TrialRunStarted m => new TrialRunStartedData { Trial = m.Trial.ToData(), Device = m.DeviceName },
        CancelTrial m => new CancelTrialData { Trial = m.Trial.ToData() },
        TrialRunFinished m => ToProto(m),
        TrialRunProgress m => ToProto(m),
        DeviceBusy m => new DeviceBusyData { Trial = m.Trial.ToData(), Device = m.DeviceName },
        DeviceWorked m => new DeviceWorkedData { Device = m.DeviceName, Trial = m.Trial.ToData(), DurationTicks = m.Duration.Ticks },
        SubmitStudy m => new SubmitStudyData { StudyId = m.StudyId, Definition = m.DefinitionHocon },
        StudySubmitted m => new StudySubmittedData { StudyId = m.StudyId, Accepted = m.Accepted, Refusal = m.Refusal ?? string.Empty },
        CancelStudy m => new CancelStudyData { StudyId = m.StudyId },
        StudyCancelled m => new StudyCancelledData { StudyId = m.StudyId, Found = m.Found, Note = m.Note ?? string.Empty },
        ListStudies => new ListStudiesData(),
        StudiesListed m => new StudiesListedData { StudyIds = { m.StudyIds } },
        GetStudyJournal m => new GetStudyJournalData { StudyId = m.StudyId },
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

    private static TrialRunFinishedData ToProto(TrialRunFinished m)
    {
        var data = new TrialRunFinishedData
        {
            Trial = m.Trial.ToData(),
            FailureReason = m.FailureReason ?? string.Empty,
            DurationTicks = m.Duration.Ticks,
            Device = m.DeviceName,
        };
        if (m.Result is { } result)
        {
            data.Result = new WorkloadResultData
            {
                Objectives = { result.Objectives },
                Metrics = { result.Metrics.ToDictionary(p => p.Key, p => p.Value) },
                Curve = { result.Curve.Select(ToProto) },
            };
        }

        return data;
    }

    private static TrialRunProgressData ToProto(TrialRunProgress m)
    {
        var data = new TrialRunProgressData { Trial = m.Trial.ToData(), Done = m.Progress.Done, Total = m.Progress.Total, Device = m.DeviceName };
        if (m.Progress.Note is { } note)
        {
            data.Note = note;
        }

        return data;
    }

    private RunPortableTrial FromProto(RunPortableTrialData d) =>
        new(d.Request.FromData(), new PortableExecution(
            d.Execution.StudyId,
            d.Execution.Definition,
            d.Execution.CheckpointDirectory.Length == 0 ? null : d.Execution.CheckpointDirectory,
            d.Execution.ContinueFromParent))
        {
            LeaseHolder = d.LeaseHolder.Length == 0 ? null : system.Provider.ResolveActorRef(d.LeaseHolder),
            Queued = d.Queued,
        };

    private static TrialRunStarted FromProto(TrialRunStartedData d) => new(d.Trial.FromData(), d.Device);

    private static TrialRunFinished FromProto(TrialRunFinishedData d) =>
        new(d.Trial.FromData(),
            d.Result is { } result ? new WorkloadResult(result.Objectives.ToArray(), result.Metrics.ToDictionary(p => p.Key, p => p.Value)) { Curve = FromProto(result.Curve) } : null,
            d.FailureReason.Length == 0 ? null : d.FailureReason,
            TimeSpan.FromTicks(d.DurationTicks),
            d.Device);

    private static TrialRunProgress FromProto(TrialRunProgressData d) =>
        new(d.Trial.FromData(), new WorkloadProgress(d.Done, d.Total, d.HasNote ? d.Note : null), d.Device);

    private static DeviceBusy FromProto(DeviceBusyData d) => new(d.Trial.FromData(), d.Device);

    private static DeviceWorked FromProto(DeviceWorkedData d) => new(d.Device, d.Trial.FromData(), TimeSpan.FromTicks(d.DurationTicks));

    private static SubmitStudy FromProto(SubmitStudyData d) => new(d.StudyId, d.Definition);

    private static StudySubmitted FromProto(StudySubmittedData d) => new(d.StudyId, d.Accepted, d.Refusal.Length == 0 ? null : d.Refusal);

    private static StudyCancelled FromProto(StudyCancelledData d) => new(d.StudyId, d.Found, d.Note.Length == 0 ? null : d.Note);

    private static StudyCreated FromProto(StudyCreatedData d) =>
        new(d.StudyId, d.Definition, d.Seed, d.ReferencePoint.ToArray(), ProtoMapping.FromUnixMs(d.CreatedAtUnixMs));

    private static TrialScheduled FromProto(TrialScheduledData d) =>
        new(d.Request.FromData(), ProtoMapping.FromUnixMs(d.ScheduledAtUnixMs));

    private static TrialStarted FromProto(TrialStartedData d) =>
        new(d.Trial.FromData(), d.Device, ProtoMapping.FromUnixMs(d.StartedAtUnixMs));

    private static TrialCompleted FromProto(TrialCompletedData d) =>
        new(d.Trial.FromData(), d.Objectives.ToArray(), d.Metrics.ToDictionary(p => p.Key, p => p.Value),
            TimeSpan.FromTicks(d.DurationTicks), d.Device, ProtoMapping.FromUnixMs(d.CompletedAtUnixMs),
            d.Checkpoint.Length == 0 ? null : d.Checkpoint)
        {
            Curve = FromProto(d.Curve),
        };

    private static CurvePointData ToProto(CurvePoint point) => new() { Step = point.Step, Values = { point.Values.ToDictionary(p => p.Key, p => p.Value) } };

    private static CurvePoint[] FromProto(IEnumerable<CurvePointData> curve) =>
        curve.Select(p => new CurvePoint(p.Step, p.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal))).ToArray();

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

/// <summary>
/// An event or message whose manifest this build does not know: written by a newer or foreign version. A type of its
/// own so that <c>nashpo verify</c> can tell such an event (a newer version's, perhaps fine) from a damaged one.
/// </summary>
internal sealed class UnknownManifestException : SerializationException
{
    public UnknownManifestException(string manifest)
        : base($"unknown manifest \"{manifest}\": this journal was written by a newer or foreign version") => Manifest = manifest;

    public UnknownManifestException()
        : this(string.Empty)
    {
    }

    public UnknownManifestException(string message, Exception inner)
        : base(message, inner) => Manifest = string.Empty;

    public string Manifest { get; }
}
