using Akka.Actor;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What every study of a process shares: the device pool, the engine settings, how a persisted definition is read
/// back, how a definition becomes the workload its trials run, and the database whose neighbouring directory
/// holds training checkpoints (null: no checkpoints).
/// </summary>
public sealed record StudyEnvironment(
    IActorRef Devices,
    EngineSettings Settings,
    Func<string, StudyDefinition> ReadDefinition,
    Func<StudyDefinition, IWorkload> Workloads,
    string? DatabasePath = null)
{
    /// <summary>
    /// Where checkpoints go instead of next to the database: "{directory}/{study}/". A cluster sets it to a directory
    /// every node can reach, so a promoted trial finds its parent's state on whichever node it runs.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Trials may run on other nodes: they carry the study's definition, not the workload object.</summary>
    public bool PortableTrials { get; init; }
}
