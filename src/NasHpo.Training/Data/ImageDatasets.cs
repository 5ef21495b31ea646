using System.Collections.Concurrent;
using System.Globalization;
using NasHpo.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Data;

/// <summary>
/// One split as it was read, before resizing and standardising: <paramref name="Pixels"/> holds
/// <paramref name="Count"/> images of <paramref name="Channels"/> x <paramref name="Height"/> x <paramref name="Width"/>
/// values in C order. <paramref name="Source"/> names the file or folder it came from, for error messages.
/// </summary>
internal sealed record RawImages(float[] Pixels, int Count, int Channels, int Height, int Width, long[] Labels, string Source);

/// <summary>
/// Loads one's own image data (IDX files, .npy arrays, image folders) into an <see cref="ImageDataset"/>: a seeded
/// validation split when the data has none, subsets, resizing, the channel count asked for, and standardisation
/// with the training split's per-channel mean and standard deviation. Bad data is an
/// <see cref="InvalidDataException"/> (or an <see cref="IOException"/>) whose one-line message names the file or folder.
/// </summary>
internal static class ImageDatasets
{
    // A dataset checked before a study starts, waiting for the study's workload to take it over instead of reading
    // the files a second time.
    private static readonly ConcurrentDictionary<ImageDataOptions, ImageDataset> Prepared = new();

    public static ImageDataset Load(ImageDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Format switch
        {
            ImageDataFormat.Idx => ImageArrays.LoadIdx(options),
            ImageDataFormat.Npy => ImageArrays.LoadNpy(options),
            ImageDataFormat.ImageFolder => ImageFolderReader.Load(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown image data format"),
        };
    }

    /// <summary>
    /// Reads and checks the data now (every image decoded), and keeps it for the next <see cref="TakePrepared"/> with
    /// the same options: a study refuses bad data before anything is persisted without reading the data twice.
    /// </summary>
    public static ImageDataset Prepare(ImageDataOptions options)
    {
        var dataset = Load(options);
        if (Prepared.TryRemove(options, out var older))
        {
            older.Dispose();
        }

        Prepared[options] = dataset;
        return dataset;
    }

    /// <summary>The dataset <see cref="Prepare"/> read with these options, now owned by the caller, or null.</summary>
    public static ImageDataset? TakePrepared(ImageDataOptions options) => Prepared.TryRemove(options, out var dataset) ? dataset : null;

    /// <summary>The shared last steps of every format.</summary>
    internal static ImageDataset Build(RawImages training, RawImages? validation, RawImages? test, int classes, ImageDataOptions options)
    {
        if (classes < 2)
        {
            throw new InvalidDataException($"'{training.Source}' has {classes} class; a classifier needs at least two");
        }

        var distinct = training.Labels.Distinct().Count();
        if (distinct < 2)
        {
            throw new InvalidDataException($"'{training.Source}' has images of only one class ({training.Labels.FirstOrDefault()}); a classifier needs at least two");
        }

        foreach (var split in new[] { training, validation, test })
        {
            if (split is null)
            {
                continue;
            }

            if (split.Count == 0)
            {
                throw new InvalidDataException($"'{split.Source}' holds no images");
            }

            var bad = Array.FindIndex(split.Labels, label => label < 0 || label >= classes);
            if (bad >= 0)
            {
                throw new InvalidDataException($"'{split.Source}' has the label {split.Labels[bad]} at index {bad}, outside the {classes} classes 0-{classes - 1}");
            }

            if (options.Channels == 0 && split.Channels != training.Channels)
            {
                throw new InvalidDataException($"'{split.Source}' has {split.Channels} channel(s) but '{training.Source}' has {training.Channels}: mixed channel counts (set study.problem.channels = 1 or 3 to convert)");
            }
        }

        var size = options.ImageSize;
        if (size == 0)
        {
            size = training.Height == training.Width
                ? training.Height
                : throw new InvalidDataException($"'{training.Source}' holds {training.Height}x{training.Width} images, not square ones: set study.problem.image-size");
        }

        var channels = options.Channels == 0 ? training.Channels : options.Channels;
        var trainingIndices = Enumerable.Range(0, training.Count).ToArray();
        int[] validationIndices;
        if (validation is null)
        {
            var validationCount = (int)Math.Round(training.Count * options.ValidationFraction);
            if (validationCount < 1 || validationCount >= training.Count)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{training.Source}' has {training.Count} images: a validation fraction of {options.ValidationFraction} leaves no training or no validation images"));
            }

            new DeterministicRandom(StableHash.Combine((ulong)options.Seed, StableHash.Of("image-data-split"))).Shuffle(trainingIndices);
            validationIndices = trainingIndices[..validationCount];
            trainingIndices = trainingIndices[validationCount..];
            validation = training;
        }
        else
        {
            validationIndices = Enumerable.Range(0, validation.Count).ToArray();
        }

        trainingIndices = trainingIndices[..Math.Min(trainingIndices.Length, options.TrainingSubset ?? int.MaxValue)];
        validationIndices = validationIndices[..Math.Min(validationIndices.Length, options.ValidationSubset ?? int.MaxValue)];
        var testIndices = test is null ? [] : Enumerable.Range(0, Math.Min(test.Count, options.TestSubset ?? int.MaxValue)).ToArray();

        using var scope = NewDisposeScope();
        var trainingImages = ToTensor(training, trainingIndices, channels, size);
        // Per-channel statistics of the training images alone: validation and test are scaled the way training was.
        var mean = trainingImages.mean([0L, 2L, 3L], keepdim: true);
        var std = trainingImages.std([0L, 2L, 3L], keepdim: true);
        // Loaded while other trials may be training: the threshold's Scalar is disposed after the call rather than left
        // to a garbage collection that could free it mid-call (ScalarArithmetic has why).
        using var tiny = 1e-6.ToScalar();
        std = where(std.gt(tiny), std, ones_like(std));
        LabeledImages Standardised(Tensor images, RawImages raw, int[] indices)
        {
            var labels = tensor(indices.Select(i => raw.Labels[i]).ToArray());
            var set = new LabeledImages(((images - mean) / std).contiguous(), labels);
            set.Images.MoveToOuterDisposeScope();
            set.Labels.MoveToOuterDisposeScope();
            return set;
        }

        var trainingSet = Standardised(trainingImages, training, trainingIndices);
        var validationSet = Standardised(ToTensor(validation, validationIndices, channels, size), validation, validationIndices);
        var testSet = test is null ? null : Standardised(ToTensor(test, testIndices, channels, size), test, testIndices);
        return new ImageDataset(trainingSet, validationSet, testSet, classes, channels, size);
    }

    /// <summary>The chosen images as a float tensor [N, C, size, size] with the channel count asked for.</summary>
    private static Tensor ToTensor(RawImages raw, int[] indices, int channels, int size)
    {
        var length = raw.Channels * raw.Height * raw.Width;
        var values = new float[(long)indices.Length * length];
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(raw.Pixels, (long)indices[i] * length, values, (long)i * length, length);
        }

        var batch = tensor(values, [indices.Length, raw.Channels, raw.Height, raw.Width]);
        if (channels != raw.Channels)
        {
            batch = channels == 3
                ? batch.expand(indices.Length, 3, raw.Height, raw.Width)
                // ITU-R BT.601 luma, the weights most image libraries use for grey.
                : batch.narrow(1, 0, 1).Times(0.299f).Plus(batch.narrow(1, 1, 1).Times(0.587f)).Plus(batch.narrow(1, 2, 1).Times(0.114f));
        }

        if (raw.Height != size || raw.Width != size)
        {
            // Area averaging when shrinking keeps every region's mean intensity; bilinear when enlarging.
            batch = size <= raw.Height && size <= raw.Width
                ? nn.functional.adaptive_avg_pool2d(batch, [size, size])
                : nn.functional.interpolate(batch, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        }

        return batch.contiguous();
    }
}
