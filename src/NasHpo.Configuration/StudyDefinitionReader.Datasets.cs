using Akka.Configuration;

namespace NasHpo.Configuration;

/// <summary>The problems that train the built-in networks on images: Fashion-MNIST, and one's own data.</summary>
public static partial class StudyDefinitionReader
{
    /// <summary>The largest side <c>image-size</c> may ask for: beyond it a CPU study would not finish.</summary>
    internal const int MaxImageSize = 512;

    /// <summary>The most threads one device may ask for (far beyond any machine's cores; a count past it is a typo).</summary>
    internal const int MaxThreadsPerDevice = 4096;

    private static readonly string[] CommonDatasetKeys = ["type", "validation-fraction", "train-subset", "validation-subset", "test-subset", "image-size", "model", "threads-per-device"];
    private static readonly string[] FashionMnistKeys = [.. CommonDatasetKeys, "data-dir"];
    private static readonly string[] ArrayDatasetKeys = [.. CommonDatasetKeys, "data-dir", "channels"];
    private static readonly string[] ImageFolderKeys = [.. CommonDatasetKeys, "train-dir", "validation-dir", "test-dir", "channels"];

    private static ProblemDefinition ReadDatasetProblem(Config problem, string type, StudyPaths paths)
    {
        RejectUnknownKeys(problem, "study.problem", type switch
        {
            ProblemDefinition.FashionMnist => FashionMnistKeys,
            ProblemDefinition.ImageFolder => ImageFolderKeys,
            _ => ArrayDatasetKeys,
        });

        string? Folder(string key) => problem.HasPath(key) ? paths.Resolve(RequireString(problem, key, $"study.problem.{key}")) : null;
        var directory = type switch
        {
            ProblemDefinition.FashionMnist => Folder("data-dir") ?? "/usr/share/datasets/fashion-mnist",
            ProblemDefinition.ImageFolder => Folder("train-dir") ?? throw new ConfigurationException("study.problem.train-dir", "missing (a folder with one subfolder of images per class)"),
            _ => Folder("data-dir") ?? throw new ConfigurationException("study.problem.data-dir", $"missing (the folder that holds the {(type == ProblemDefinition.Npy ? "x_train.npy, y_train.npy, ... files" : "IDX files")})"),
        };

        var validation = ReadDouble(problem, "validation-fraction", "study.problem.validation-fraction", 0.2, minimum: 1e-6, maximum: 1 - 1e-6);
        int? Subset(string key) => problem.HasPath(key) ? (int)ReadLong(problem, key, $"study.problem.{key}", 0, minimum: 1, maximum: int.MaxValue) : null;
        int imageSize;
        if (type == ProblemDefinition.FashionMnist)
        {
            // Read as a long: a size past 32 bits must be refused, not wrapped into a small one.
            var size = ReadLong(problem, "image-size", "study.problem.image-size", 28, minimum: 4);
            imageSize = size <= 28 ? (int)size : throw new ConfigurationException("study.problem.image-size", $"{size} is larger than the 28x28 images (downsampling only)");
        }
        else
        {
            // 0: the size of the data itself (square IDX or .npy images); a folder of photos needs a size to agree on.
            imageSize = (int)ReadLong(problem, "image-size", "study.problem.image-size", type == ProblemDefinition.ImageFolder ? 32 : 0, minimum: 4, maximum: MaxImageSize);
        }

        var model = problem.HasPath("model") ? RequireString(problem, "model", "study.problem.model") : DatasetDefinition.ConvNet;
        if (!DatasetDefinition.Models.Contains(model, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.problem.model", $"unknown model \"{model}\" (expected one of: {string.Join(", ", DatasetDefinition.Models)})");
        }

        // 0 shares the machine's cores equally between the CPU devices.
        var threads = (int)ReadLong(problem, "threads-per-device", "study.problem.threads-per-device", 0, minimum: 0, maximum: MaxThreadsPerDevice);
        var dataset = new DatasetDefinition(directory, validation, Subset("train-subset"), Subset("validation-subset"), Subset("test-subset"), imageSize, model, threads)
        {
            ValidationDirectory = Folder("validation-dir"),
            TestDirectory = Folder("test-dir"),
            Channels = ReadChannels(problem),
        };
        return new ProblemDefinition(type, 0, 0, TimeSpan.Zero, 0, dataset);
    }

    /// <summary><c>channels = auto</c> (whatever the data holds), 1 (grey) or 3 (colour); 0 stands for auto.</summary>
    private static int ReadChannels(Config problem)
    {
        if (!problem.HasPath("channels"))
        {
            return 0;
        }

        return RequireString(problem, "channels", "study.problem.channels") switch
        {
            "auto" => 0,
            "1" => 1,
            "3" => 3,
            var text => throw new ConfigurationException("study.problem.channels", $"\"{text}\" is not auto, 1 (grey) or 3 (colour)"),
        };
    }
}
