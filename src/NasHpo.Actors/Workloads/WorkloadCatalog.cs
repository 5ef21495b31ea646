using NasHpo.Actors.Workloads.Command;
using NasHpo.Configuration;
using NasHpo.Core.Problems;
using NasHpo.Core.Tabular;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Workloads;

/// <summary>A study asked for a device this machine does not have.</summary>
internal sealed class DeviceUnavailableException : Exception
{
    public DeviceUnavailableException(string message)
        : base(message)
    {
    }

    public DeviceUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DeviceUnavailableException()
    {
    }
}

/// <summary>A study's own image data cannot be used.</summary>
internal sealed class InvalidDatasetException : Exception
{
    public InvalidDatasetException(string message)
        : base(message)
    {
    }

    public InvalidDatasetException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public InvalidDatasetException()
    {
    }
}

/// <summary>Turns a study's <c>study.problem</c> into the workload its trials run.</summary>
internal static class WorkloadCatalog
{
    /// <summary>Why an external study cannot run here: its trials are evaluated by the program that runs it.</summary>
    public const string ExternalStudyMessage =
        "its trials are evaluated by the code of the program that runs it (problem.type = external): run or resume it from that program (NasHpo.Study); status and report read it anywhere";

    public static IWorkload Create(StudyDefinition definition) => Create(definition, null);

    /// <param name="commandWorkingDirectory">
    /// where a command study's program runs on this node (<c>nashpo.command.working-dir</c> of a cluster trainer);
    /// null: the study's own working directory
    /// </param>
    public static IWorkload Create(StudyDefinition definition, string? commandWorkingDirectory)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problem = definition.Problem;
        if (problem.Tabular is { } tabular)
        {
            return new TabularWorkload(tabular.Table, definition.Objectives, definition.Seed) { TimeScale = tabular.TimeScale };
        }

        if (problem.Command is not null)
        {
            return new CommandWorkload(definition, commandWorkingDirectory);
        }

        if (problem.IsExternal)
        {
            throw new InvalidOperationException(ExternalStudyMessage);
        }

        if (problem.Dataset is not null)
        {
            return TrainingLink.Required(definition).Create(definition);
        }

        var synthetic = SyntheticProblem.Create(
            problem.Type,
            new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
        return new SyntheticWorkload(synthetic, definition.Optimizer.MaxBudget) { KeepsCheckpoints = problem.Checkpoints };
    }

    /// <summary>
    /// Reads and checks a study's image data before anything is persisted (missing or truncated Fashion-MNIST or IDX
    /// files, a missing folder, an empty or single class, an unreadable or truncated image, mixed channel counts,
    /// arrays of different lengths), and keeps a study's own data for its workload so the files are read once.
    /// Returns what was read, or null when there is nothing to check.
    /// </summary>
    /// <exception cref="InvalidDatasetException">The data is unusable; the message is one line naming the file or folder.</exception>
    public static string? CheckData(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Problem.Dataset is null)
        {
            return null;
        }

        try
        {
            return TrainingLink.Required(definition).PrepareData(definition);
        }
        catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidDatasetException($"study.problem: {error.Message}", error);
        }
    }

    /// <summary>
    /// Makes the study's checkpoint folder now, as its study actor will, so that a path that cannot be one is said
    /// before anything is written; returns why it cannot be used (one line), or null.
    /// </summary>
    public static string? CheckCheckpoints(StudyDefinition definition, string? checkpointDirectory, string studyId) =>
        Studies.StudyCheckpoints.Unusable(definition, checkpointDirectory, studyId);

    /// <summary>Refuses a study that names CUDA devices where TorchSharp has no CUDA backend, before anything is written.</summary>
    public static void CheckDevices(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Problem.Command is not null)
        {
            return; // The program owns the GPU (a PyTorch script with CUDA, say), whatever TorchSharp has.
        }

        var cuda = definition.DeviceNames.FirstOrDefault(n => n.StartsWith("cuda", StringComparison.Ordinal));
        // Without NasHpo.Training there is no TorchSharp, so no CUDA backend either.
        if (cuda is not null && TrainingLink.Find()?.CudaAvailable() != true)
        {
            throw new DeviceUnavailableException(
                $"study.devices: {cuda.Replace('-', ':')} asked for, but TorchSharp has no CUDA device here " +
                "(this build uses TorchSharp-cpu; on a GPU node build with -p:TorchBackend=cuda)");
        }
    }
}
