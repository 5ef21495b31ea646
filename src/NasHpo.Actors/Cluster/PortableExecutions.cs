using NasHpo.Actors.Devices;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// A node's workloads for trials that came from another node: built once per study from the definition the trial
/// carries, and shared by the node's devices (a workload is already shared by the devices of one process).
/// Built on a device's thread, since loading a dataset takes a while.
/// </summary>
internal sealed class PortableExecutions : IDisposable
{
    private readonly Func<StudyDefinition, IWorkload> _workloads;
    private readonly Dictionary<(string StudyId, string Definition), TrialExecution> _built = [];

    public PortableExecutions(Func<StudyDefinition, IWorkload>? workloads = null) => _workloads = workloads ?? WorkloadCatalog.Create;

    public TrialExecution Resolve(PortableExecution portable)
    {
        ArgumentNullException.ThrowIfNull(portable);
        lock (_built)
        {
            if (_built.TryGetValue((portable.StudyId, portable.DefinitionHocon), out var execution))
            {
                return execution;
            }

            var definition = StudyDefinitionReader.FromHocon(portable.DefinitionHocon);
            var checkpoints = portable.CheckpointDirectory is { } directory ? new DirectoryCheckpointStore(directory) : null;
            execution = new TrialExecution(_workloads(definition), checkpoints, portable.ContinueFromParent);
            _built[(portable.StudyId, portable.DefinitionHocon)] = execution;
            return execution;
        }
    }

    public void Dispose()
    {
        lock (_built)
        {
            foreach (var execution in _built.Values)
            {
                (execution.Workload as IDisposable)?.Dispose();
            }

            _built.Clear();
        }
    }
}
