using NasHpo.Configuration;
using NasHpo.Core.Problems;
using NasHpo.Core.Tabular;
using NasHpo.Core.Workloads;
using NasHpo.Training;
using NasHpo.Training.Data;

namespace NasHpo.Actors.Workloads;

/// <summary>A study asked for a device this machine does not have.</summary>
public sealed class DeviceUnavailableException : Exception
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

/// <summary>Turns a study's <c>study.problem</c> into the workload its trials run.</summary>
public static class WorkloadCatalog
{
    public static IWorkload Create(StudyDefinition definition)
    {
        var problem = definition.Problem;
        if (problem.Tabular is { } tabular)
        {
            return new TabularWorkload(tabular.Table, definition.Objectives, definition.Seed) { TimeScale = tabular.TimeScale };
        }

        if (problem.Dataset is { } dataset)
        {
            TrainingRuntime.ShareCpuThreads(definition.DeviceNames.Count(n => n.StartsWith("cpu", StringComparison.Ordinal)), dataset.ThreadsPerDevice);
            return new FashionMnistWorkload(new FashionMnistWorkloadOptions
            {
                Data = new FashionMnistOptions
                {
                    DataDirectory = dataset.Directory,
                    ValidationFraction = dataset.ValidationFraction,
                    Seed = definition.Seed,
                    TrainingSubset = dataset.TrainingSubset,
                    ValidationSubset = dataset.ValidationSubset,
                    TestSubset = dataset.TestSubset,
                    ImageSize = dataset.ImageSize,
                },
                Objectives = definition.Objectives.Select(o => o.Name).ToArray(),
                Model = dataset.Model == DatasetDefinition.Residual ? NetworkModel.Residual : NetworkModel.ConvNet,
                BudgetUnit = definition.Optimizer.BudgetUnit == OptimizerDefinition.Seconds ? TrainingBudgetKind.Seconds : TrainingBudgetKind.Epochs,
            });
        }

        var synthetic = SyntheticProblem.Create(
            problem.Type,
            new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
        return new SyntheticWorkload(synthetic, definition.Optimizer.MaxBudget) { KeepsCheckpoints = problem.Checkpoints };
    }

    /// <summary>Refuses a study that names CUDA devices where TorchSharp has no CUDA backend, before anything is written.</summary>
    public static void CheckDevices(StudyDefinition definition)
    {
        var cuda = definition.DeviceNames.FirstOrDefault(n => n.StartsWith("cuda", StringComparison.Ordinal));
        if (cuda is not null && !TrainingRuntime.CudaAvailable)
        {
            throw new DeviceUnavailableException(
                $"study.devices: {cuda.Replace('-', ':')} asked for, but TorchSharp has no CUDA device here " +
                "(this build uses TorchSharp-cpu; on a GPU node build with -p:TorchBackend=cuda)");
        }
    }
}
