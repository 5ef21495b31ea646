using Akka.Actor;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// A message that crosses nodes. Every one is bound to the Protobuf serializer (hocon/cluster.conf) and has a
/// versioned manifest; a test checks the binding, so none can fall back to Akka's JSON serializer.
/// </summary>
internal interface IClusterMessage;

/// <summary>One device of a trainer node, as the node announces it: its name (unique in the cluster) and its actor.</summary>
internal sealed record AnnouncedDevice(string Name, IActorRef Device);

/// <summary>
/// A trainer node's devices, sent to the coordinator singleton at start and again at an interval, so a coordinator
/// that took over learns them without asking. Devices of the node missing from the list are gone.
/// </summary>
internal sealed record DevicesAnnounced(string Node, IReadOnlyList<AnnouncedDevice> Devices) : IClusterMessage;

/// <summary>A trainer node is leaving: lease none of its devices any more.</summary>
internal sealed record DevicesWithdrawn(string Node) : IClusterMessage;

/// <summary>
/// What a node needs to run a study's trials without the coordinator's objects: the study's persisted definition
/// (HOCON), from which the node builds the workload, and where checkpoints live (null: none).
/// </summary>
internal sealed record PortableExecution(string StudyId, string DefinitionHocon, string? CheckpointDirectory, bool ContinueFromParent);

/// <summary>Runs one trial on a device of any node; answered like a local run (TrialRunFinished, progress, DeviceBusy).</summary>
internal sealed record RunPortableTrial(TrialRequest Request, PortableExecution Execution) : IClusterMessage
{
    /// <summary>The pool that leased the device (the cluster's), told by the device the moment the run ends.</summary>
    public IActorRef? LeaseHolder { get; init; }

    /// <summary>Leased while the device runs another trial: held until that run ends, then started (<see cref="Devices.TrialRunStarted"/>).</summary>
    public bool Queued { get; init; }
}

/// <summary>A client submits a new study (its resolved HOCON definition) under an id.</summary>
internal sealed record SubmitStudy(string StudyId, string DefinitionHocon) : IClusterMessage;

/// <summary>The answer to <see cref="SubmitStudy"/>: accepted, or refused with a one-line reason.</summary>
internal sealed record StudySubmitted(string StudyId, bool Accepted, string? Refusal) : IClusterMessage;

/// <summary>A client cancels a study: its running trials stop and it is finished with reason "cancelled".</summary>
internal sealed record CancelStudy(string StudyId) : IClusterMessage;

/// <summary>The answer to <see cref="CancelStudy"/>; <paramref name="Found"/> is false for an unknown or finished study.</summary>
internal sealed record StudyCancelled(string StudyId, bool Found, string? Note) : IClusterMessage;

/// <summary>A client asks for the ids of every study in the cluster's journal.</summary>
internal sealed record ListStudies : IClusterMessage;

/// <summary>The ids of every study in the journal, sorted.</summary>
internal sealed record StudiesListed(IReadOnlyList<string> StudyIds) : IClusterMessage;

/// <summary>A client asks for a study's journal (ledger and archive), to show its status or write its report.</summary>
internal sealed record GetStudyJournal(string StudyId) : IClusterMessage;

/// <summary>A study's persisted events in journal order (ledger first, then archive); empty for an unknown id.</summary>
internal sealed record StudyJournal(string StudyId, IReadOnlyList<object> Events) : IClusterMessage;
