namespace NasHpo.Training.Data;

/// <summary>Image data stored as arrays: IDX files (the MNIST format) and NumPy <c>.npy</c> files, from any directory.</summary>
internal static class ImageArrays
{
    private static readonly string[] TrainingPrefixes = ["train"];
    private static readonly string[] ValidationPrefixes = ["validation", "val"];
    private static readonly string[] TestPrefixes = ["t10k", "test"];
    private static readonly string[] NpySplits = ["train", "val", "test"];

    /// <summary>
    /// IDX files named the MNIST way: <c>train-images-…</c> and <c>train-labels-…</c>; <c>t10k-</c> or <c>test-</c>
    /// images and labels (optional); <c>validation-</c> or <c>val-</c> ones (optional; else a seeded split).
    /// Gzip-compressed or plain. Images are N x H x W (grey) or N x H x W x C (C = 1 or 3) unsigned bytes.
    /// </summary>
    public static ImageDataset LoadIdx(ImageDataOptions options)
    {
        RequireDirectory(options.Directory, "IDX");
        var training = ReadIdxPair(options.Directory, TrainingPrefixes, required: true)!;
        var validation = ReadIdxPair(options.Directory, ValidationPrefixes, required: false);
        var test = ReadIdxPair(options.Directory, TestPrefixes, required: false);
        var classes = new[] { training, validation, test }.Where(s => s is not null).Max(s => s!.Labels.DefaultIfEmpty().Max()) + 1;
        return ImageDatasets.Build(training, validation, test, (int)classes, options);
    }

    /// <summary>
    /// <c>x_train.npy</c> and <c>y_train.npy</c>, and optionally <c>x_val</c>/<c>y_val</c> and <c>x_test</c>/<c>y_test</c>
    /// (paper 001's Oxford-Flowers-17 split). Images are N x H x W x C, N x C x H x W (C = 1 or 3) or N x H x W;
    /// labels are class numbers (N) or one-hot rows (N x classes).
    /// </summary>
    public static ImageDataset LoadNpy(ImageDataOptions options)
    {
        RequireDirectory(options.Directory, ".npy");
        var splits = NpySplits.Select(name => ReadNpyPair(options.Directory, name, required: name == "train")).ToArray();
        var oneHot = splits.Where(s => s is { OneHotClasses: > 0 }).Select(s => s!.OneHotClasses).Distinct().ToArray();
        if (oneHot.Length > 1)
        {
            throw new InvalidDataException($"the one-hot labels in '{options.Directory}' have different widths ({string.Join(", ", oneHot)}): they disagree on the number of classes");
        }

        var classes = oneHot.Length == 1 ? oneHot[0] : (int)splits.Where(s => s is not null).Max(s => s!.Images.Labels.DefaultIfEmpty().Max()) + 1;
        return ImageDatasets.Build(splits[0]!.Images, splits[1]?.Images, splits[2]?.Images, classes, options);
    }

    internal static void RequireDirectory(string directory, string what)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"the {what} data directory '{directory}' does not exist");
        }
    }

    private static RawImages? ReadIdxPair(string directory, string[] prefixes, bool required)
    {
        var imagesPath = FindIdx(directory, prefixes, "images");
        var labelsPath = FindIdx(directory, prefixes, "labels");
        if (imagesPath is null || labelsPath is null)
        {
            if (required || imagesPath is not null || labelsPath is not null)
            {
                throw new FileNotFoundException($"'{directory}' has {(imagesPath is null ? "no" : "an")} {prefixes[0]}-images IDX file and {(labelsPath is null ? "no" : "a")} {prefixes[0]}-labels IDX file; both are needed (e.g. {prefixes[0]}-images-idx3-ubyte.gz, {prefixes[0]}-labels-idx1-ubyte.gz)");
            }

            return null;
        }

        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        var dims = images.Dimensions;
        if (!(dims.Count == 3 || (dims.Count == 4 && dims[3] is 1 or 3)))
        {
            throw new InvalidDataException($"'{imagesPath}' holds an array of {string.Join(" x ", dims)}, not N x H x W or N x H x W x C images (C = 1 or 3)");
        }

        if (labels.Dimensions.Count != 1 || labels.Count != images.Count)
        {
            throw new InvalidDataException($"'{labelsPath}' holds {string.Join(" x ", labels.Dimensions)} labels for the {images.Count} images in '{imagesPath}'");
        }

        var channels = dims.Count == 4 ? dims[3] : 1;
        var pixels = ToChannelsFirst(images.Data.Select(b => b / 255f).ToArray(), images.Count, dims[1], dims[2], channels, channelsLast: true);
        return new RawImages(pixels, images.Count, channels, dims[1], dims[2], labels.Data.Select(b => (long)b).ToArray(), imagesPath);
    }

    private static string? FindIdx(string directory, string[] prefixes, string kind)
    {
        foreach (var prefix in prefixes)
        {
            var match = Directory.EnumerateFiles(directory, $"{prefix}-{kind}*")
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    private sealed record NpySplit(RawImages Images, int OneHotClasses);

    private static NpySplit? ReadNpyPair(string directory, string split, bool required)
    {
        var imagesPath = Path.Combine(directory, $"x_{split}.npy");
        var labelsPath = Path.Combine(directory, $"y_{split}.npy");
        var haveImages = File.Exists(imagesPath);
        var haveLabels = File.Exists(labelsPath);
        if (!haveImages || !haveLabels)
        {
            if (required || haveImages || haveLabels)
            {
                throw new FileNotFoundException($"'{(haveImages ? labelsPath : imagesPath)}' does not exist; the {split} split needs both x_{split}.npy and y_{split}.npy");
            }

            return null;
        }

        var images = NpyReader.Read(imagesPath);
        var labels = NpyReader.Read(labelsPath);
        var shape = images.Shape;
        int channels, height, width;
        bool channelsLast;
        if (shape.Count == 3)
        {
            (channels, height, width, channelsLast) = (1, shape[1], shape[2], true);
        }
        else if (shape.Count == 4 && shape[3] is 1 or 3)
        {
            (channels, height, width, channelsLast) = (shape[3], shape[1], shape[2], true);
        }
        else if (shape.Count == 4 && shape[1] is 1 or 3)
        {
            (channels, height, width, channelsLast) = (shape[1], shape[2], shape[3], false);
        }
        else
        {
            throw new InvalidDataException($"'{imagesPath}' holds an array of {NpyReader.Show(shape)}, not images (N x H x W x C, N x C x H x W with C = 1 or 3, or N x H x W)");
        }

        if (labels.Shape.Count is < 1 or > 2 || labels.Shape[0] != images.Count)
        {
            throw new InvalidDataException($"'{labelsPath}' holds {NpyReader.Show(labels.Shape)} labels for the {images.Count} images in '{imagesPath}'");
        }

        var oneHot = labels.Shape.Count == 2 ? labels.Shape[1] : 0;
        var classOf = new long[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            if (oneHot > 0)
            {
                // One row per image; its largest entry is the class (one-hot, or probabilities).
                var row = labels.Data.AsSpan(i * oneHot, oneHot);
                classOf[i] = row.IndexOf(row.ToArray().Max());
            }
            else
            {
                var value = labels.Data[i];
                classOf[i] = value >= 0 && value == Math.Floor(value)
                    ? (long)value
                    : throw new InvalidDataException($"'{labelsPath}' has the label {value} at index {i}; labels are class numbers 0, 1, ... (or one-hot rows)");
            }
        }

        var scale = images.DataType.EndsWith("u1", StringComparison.Ordinal) ? 1 / 255f : 1f;
        var values = scale == 1f ? images.Data : images.Data.Select(v => v * scale).ToArray();
        var pixels = ToChannelsFirst(values, images.Count, height, width, channels, channelsLast);
        return new NpySplit(new RawImages(pixels, images.Count, channels, height, width, classOf, imagesPath), oneHot);
    }

    /// <summary>N x H x W x C values as N x C x H x W (a copy only when there is more than one channel to move).</summary>
    internal static float[] ToChannelsFirst(float[] values, int count, int height, int width, int channels, bool channelsLast)
    {
        if (!channelsLast || channels == 1)
        {
            return values;
        }

        var result = new float[values.Length];
        var plane = height * width;
        for (var n = 0; n < count; n++)
        {
            var image = (long)n * plane * channels;
            for (var p = 0; p < plane; p++)
            {
                for (var c = 0; c < channels; c++)
                {
                    result[image + ((long)c * plane) + p] = values[image + ((long)p * channels) + c];
                }
            }
        }

        return result;
    }
}
