using NasHpo.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Data;

/// <summary>How to load and split Fashion-MNIST.</summary>
internal sealed record FashionMnistOptions
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the IDX files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    public string DataDirectory { get; init; } = DebianDirectory;

    /// <summary>Share of the 60,000 training images held out for validation (the error the optimizers see).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seeds the training/validation split, so every trial of a study sees the same split.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Seeds the training/validation split instead of <see cref="Seed"/> when set, so runs with different training
    /// seeds (initial weights, data order) can share one split, as a comparison across seeds needs.
    /// </summary>
    public long? SplitSeed { get; init; }

    /// <summary>At most this many training images (all when null); drawn from the seeded split, not the file order.</summary>
    public int? TrainingSubset { get; init; }

    public int? ValidationSubset { get; init; }

    /// <summary>At most this many test images: the first ones of the test file, the same for every seed.</summary>
    public int? TestSubset { get; init; }

    /// <summary>Side of the square images the model sees: 28 (the originals) or smaller, by area averaging (e.g. 16).</summary>
    public int ImageSize { get; init; } = 28;

    internal void Validate()
    {
        if (ValidationFraction is <= 0 or >= 1 || !double.IsFinite(ValidationFraction))
        {
            throw new ArgumentException($"the validation fraction must lie strictly between 0 and 1, not {ValidationFraction}");
        }

        if (ImageSize is < 1 or > 28)
        {
            throw new ArgumentException($"the image size must be 1 to 28 pixels (28 keeps the originals), not {ImageSize}");
        }

        foreach (var (name, value) in new[] { ("training", TrainingSubset), ("validation", ValidationSubset), ("test", TestSubset) })
        {
            if (value is <= 0)
            {
                throw new ArgumentException($"the {name} subset must hold at least one image, not {value}");
            }
        }
    }
}

/// <summary>Images as a float tensor [N, 1, H, W] (standardised) and labels as an int64 tensor [N], on the CPU.</summary>
internal sealed class LabeledImages : IDisposable
{
    public LabeledImages(Tensor images, Tensor labels)
    {
        Images = images;
        Labels = labels;
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    public int Count => (int)Labels.shape[0];

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Fashion-MNIST split three ways: training and validation from the 60,000 training images (a seeded permutation),
/// test from the 10,000 test images (recorded, never optimised).
/// </summary>
internal static class FashionMnist
{
    public const int Classes = 10;

    public const int OriginalSize = 28;

    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    // Mean and standard deviation of the training pixels scaled to [0, 1]; standardising speeds up training.
    private const float PixelMean = 0.2860f;
    private const float PixelStd = 0.3530f;

    public static ImageDataset Load(FashionMnistOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (trainImages, trainLabels) = ReadPair(options.DataDirectory, TrainImages, TrainLabels);
        var (testImages, testLabels) = ReadPair(options.DataDirectory, TestImages, TestLabels);

        var n = trainImages.Count;
        var validationCount = (int)Math.Round(n * options.ValidationFraction);
        if (validationCount < 1 || validationCount >= n)
        {
            throw new ArgumentException($"a validation fraction of {options.ValidationFraction} of {n} images leaves no training or no validation images");
        }

        var order = Enumerable.Range(0, n).ToArray();
        new DeterministicRandom(StableHash.Combine((ulong)(options.SplitSeed ?? options.Seed), StableHash.Of("fashion-mnist-split"))).Shuffle(order);
        var validation = order.AsSpan(0, validationCount);
        var training = order.AsSpan(validationCount);
        validation = validation[..Math.Min(validation.Length, options.ValidationSubset ?? int.MaxValue)];
        training = training[..Math.Min(training.Length, options.TrainingSubset ?? int.MaxValue)];
        var test = Enumerable.Range(0, Math.Min(testImages.Count, options.TestSubset ?? int.MaxValue)).ToArray();

        LabeledImages? trainingSet = null, validationSet = null;
        try
        {
            trainingSet = Select(trainImages, trainLabels, training, options.ImageSize);
            validationSet = Select(trainImages, trainLabels, validation, options.ImageSize);
            var testSet = Select(testImages, testLabels, test, options.ImageSize);
            return new ImageDataset(trainingSet, validationSet, testSet, Classes, channels: 1, options.ImageSize);
        }
        catch
        {
            trainingSet?.Dispose();
            validationSet?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads and checks the four IDX files (present, whole, N x 28 x 28 images with as many labels of 0-9), as
    /// <see cref="Load"/> will, so that a study with missing or truncated data is refused before its first trial
    /// rather than failing every one. Returns what was found.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is damaged or truncated (also <see cref="IOException"/> when one is missing).</exception>
    public static string Check(string directory)
    {
        var (trainImages, _) = ReadPair(directory, TrainImages, TrainLabels);
        var (testImages, _) = ReadPair(directory, TestImages, TestLabels);
        return $"{trainImages.Count} training and {testImages.Count} test images in {directory}";
    }

    /// <summary>The path of an IDX file in the directory: gzip-compressed (as Debian ships it) or plain.</summary>
    internal static string Locate(string directory, string baseName)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"the Fashion-MNIST directory '{directory}' does not exist; on Debian install the data with " +
                "'apt-get install dataset-fashion-mnist', or point the data directory at a folder with the IDX files");
        }

        foreach (var candidate in new[] { baseName + ".gz", baseName })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"the Fashion-MNIST directory '{directory}' has neither '{baseName}.gz' nor '{baseName}'; on Debian install " +
            "the data with 'apt-get install dataset-fashion-mnist', or point the data directory at a folder with the IDX files",
            Path.Combine(directory, baseName + ".gz"));
    }

    private static (IdxArray Images, IdxArray Labels) ReadPair(string directory, string imagesName, string labelsName)
    {
        var imagesPath = Locate(directory, imagesName);
        var labelsPath = Locate(directory, labelsName);
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.Dimensions.Count != 3 || images.Dimensions[1] != OriginalSize || images.Dimensions[2] != OriginalSize)
        {
            throw new InvalidDataException($"'{imagesPath}' holds an array of {string.Join(" x ", images.Dimensions)}, not N x 28 x 28 images");
        }

        if (labels.Dimensions.Count != 1 || labels.Count != images.Count)
        {
            throw new InvalidDataException($"'{labelsPath}' holds {string.Join(" x ", labels.Dimensions)} labels for {images.Count} images in '{imagesPath}'");
        }

        var bad = Array.FindIndex(labels.Data, label => label >= Classes);
        if (bad >= 0)
        {
            throw new InvalidDataException($"'{labelsPath}' has the label {labels.Data[bad]} at index {bad}; Fashion-MNIST has {Classes} classes (0-9)");
        }

        return (images, labels);
    }

    private static LabeledImages Select(IdxArray images, IdxArray labels, ReadOnlySpan<int> indices, int size)
    {
        var pixels = OriginalSize * OriginalSize;
        var floats = new float[indices.Length * pixels];
        var classes = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var source = indices[i] * pixels;
            for (var p = 0; p < pixels; p++)
            {
                floats[(i * pixels) + p] = ((images.Data[source + p] / 255f) - PixelMean) / PixelStd;
            }

            classes[i] = labels.Data[indices[i]];
        }

        // The tensors outlive any dispose scope of the caller: they belong to the returned object.
        using var scope = NewDisposeScope();
        var batch = tensor(floats, [indices.Length, 1, OriginalSize, OriginalSize]);
        if (size != OriginalSize)
        {
            // Area averaging (adaptive average pooling) keeps the mean intensity of every region of the image.
            batch = nn.functional.adaptive_avg_pool2d(batch, [size, size]);
        }

        var result = new LabeledImages(batch.contiguous(), tensor(classes));
        result.Images.MoveToOuterDisposeScope();
        result.Labels.MoveToOuterDisposeScope();
        return result;
    }
}
