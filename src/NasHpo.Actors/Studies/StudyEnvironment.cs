using Akka.Actor;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What every study of a process shares: the device pool, the engine settings, how a persisted definition is read
/// back, how a definition becomes the workload its trials run, and the directory that holds each study's training
/// checkpoints in a folder of its own (null: no checkpoints).
/// </summary>
internal sealed record StudyEnvironment(
    IActorRef Devices,
    EngineSettings Settings,
    Func<string, StudyDefinition> ReadDefinition,
    Func<StudyDefinition, IWorkload> Workloads,
    string? CheckpointDirectory = null)
{
    /// <summary>Trials may run on other nodes: they carry the study's definition, not the workload object.</summary>
    public bool PortableTrials { get; init; }

    /// <summary>How each study makes its children (started for real unless a test puts probes in their place).</summary>
    internal StudyChildren Children { get; init; } = StudyChildren.Started;
}
