using NasHpo.Configuration;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;

namespace NasHpo.Training;

/// <summary>
/// Turns a study whose trials train networks (<c>study.problem</c> with a dataset: Fashion-MNIST, an image folder,
/// IDX or .npy files) into its workload. It lives here rather than in the engine so that the engine (NasHpo.Actors)
/// does not depend on TorchSharp: the engine's workload catalogue finds this class at run time when a program has
/// this assembly (see <c>TrainingLink</c> in NasHpo.Actors); keep the names and signatures of its public members.
/// </summary>
internal static class StudyWorkloads
{
    /// <summary>The workload of a study with a dataset, training on the CPU devices it names.</summary>
    /// <exception cref="ArgumentException">The study has no dataset.</exception>
    public static IWorkload Create(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var dataset = definition.Problem.Dataset
            ?? throw new ArgumentException($"study.problem.type \"{definition.Problem.Type}\" has no dataset to train on", nameof(definition));
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
            ImageData = OwnImageData(definition),
            Objectives = definition.Objectives.Select(o => o.Name).ToArray(),
            Model = dataset.Model == DatasetDefinition.Residual ? NetworkModel.Residual : NetworkModel.ConvNet,
            BudgetUnit = definition.Optimizer.BudgetUnit == OptimizerDefinition.Seconds ? TrainingBudgetKind.Seconds : TrainingBudgetKind.Epochs,
        });
    }

    /// <summary>How to read the study's own image data (image-folder, idx, npy); null for Fashion-MNIST and synthetic problems.</summary>
    public static ImageDataOptions? OwnImageData(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problem = definition.Problem;
        if (problem.Dataset is not { } dataset || problem.Type == ProblemDefinition.FashionMnist)
        {
            return null;
        }

        return new ImageDataOptions
        {
            Format = problem.Type switch
            {
                ProblemDefinition.ImageFolder => ImageDataFormat.ImageFolder,
                ProblemDefinition.Npy => ImageDataFormat.Npy,
                _ => ImageDataFormat.Idx,
            },
            Directory = dataset.Directory,
            ValidationDirectory = dataset.ValidationDirectory,
            TestDirectory = dataset.TestDirectory,
            ValidationFraction = dataset.ValidationFraction,
            Seed = definition.Seed,
            TrainingSubset = dataset.TrainingSubset,
            ValidationSubset = dataset.ValidationSubset,
            TestSubset = dataset.TestSubset,
            ImageSize = dataset.ImageSize,
            Channels = dataset.Channels,
        };
    }

    /// <summary>
    /// Reads and checks a study's image data: its own (image folders, IDX, .npy) is kept for the study's workload, so
    /// the files are read once; Fashion-MNIST's four files are read and checked whole. Returns what was read, or null
    /// when the study has no data (synthetic problems).
    /// </summary>
    /// <exception cref="InvalidDataException">The data is unusable (also <see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>, <see cref="ArgumentException"/>).</exception>
    public static string? PrepareData(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (OwnImageData(definition) is { } options)
        {
            return $"{definition.Problem.Type} data: {ImageDatasets.Prepare(options)}";
        }

        return definition.Problem.Dataset is { } dataset ? $"{definition.Problem.Type} data: {FashionMnist.Check(dataset.Directory)}" : null;
    }

    /// <summary>Whether TorchSharp sees a CUDA device here (false with the TorchSharp-cpu build).</summary>
    public static bool CudaAvailable() => TrainingRuntime.CudaAvailable;
}
