using static TorchSharp.torch;

namespace NasHpo.Training.Data;

/// <summary>
/// Images the built-in networks train on, split three ways, already resized to one square size and standardised
/// (per channel, with the training split's statistics): what every dataset (Fashion-MNIST, IDX files, .npy arrays,
/// a folder of images) becomes. <see cref="Classes"/> and <see cref="Channels"/> come from the data and decide the
/// networks' output layer and first convolution.
/// </summary>
internal sealed class ImageDataset : IDisposable
{
    public ImageDataset(LabeledImages training, LabeledImages validation, LabeledImages? test, int classes, int channels, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        Training = training;
        Validation = validation;
        Test = test;
        Classes = classes;
        Channels = channels;
        ImageSize = imageSize;
    }

    public LabeledImages Training { get; }

    public LabeledImages Validation { get; }

    /// <summary>Recorded as <c>test-error</c>, never optimised; null when the data has no test split.</summary>
    public LabeledImages? Test { get; }

    public int Classes { get; }

    /// <summary>1 (grey) or 3 (colour).</summary>
    public int Channels { get; }

    /// <summary>Side of the square images.</summary>
    public int ImageSize { get; }

    public void Dispose()
    {
        Training.Dispose();
        Validation.Dispose();
        Test?.Dispose();
    }

    /// <summary>What a dataset is, in a few words (for progress lines and checks).</summary>
    public override string ToString() =>
        $"{Training.Count} training, {Validation.Count} validation, {Test?.Count ?? 0} test images of {ImageSize}x{ImageSize}x{Channels}, {Classes} classes";
}

/// <summary>Where one's own image data comes from.</summary>
internal enum ImageDataFormat
{
    /// <summary>IDX files (the MNIST format) in a directory: train-images/labels, t10k- or test- images/labels, optionally validation-.</summary>
    Idx,

    /// <summary>NumPy arrays <c>{x,y}_{train,val,test}.npy</c> in a directory (val and test optional).</summary>
    Npy,

    /// <summary>Folders of PNG and JPEG images with one subfolder per class.</summary>
    ImageFolder,
}

/// <summary>How to load one's own image data (<see cref="ImageDatasets.Load"/>).</summary>
internal sealed record ImageDataOptions
{
    public required ImageDataFormat Format { get; init; }

    /// <summary>The data directory (IDX, .npy), or the training folder (image-folder).</summary>
    public required string Directory { get; init; }

    /// <summary>image-folder: the validation folder; null splits the training folder.</summary>
    public string? ValidationDirectory { get; init; }

    /// <summary>image-folder: the test folder; null: no test images.</summary>
    public string? TestDirectory { get; init; }

    /// <summary>Share of the training images held out for validation when the data has no validation split.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seeds the training/validation split, so every trial of a study sees the same split.</summary>
    public long Seed { get; init; }

    public int? TrainingSubset { get; init; }

    public int? ValidationSubset { get; init; }

    public int? TestSubset { get; init; }

    /// <summary>Side of the square images the networks see; 0 keeps the data's own size (square arrays only).</summary>
    public int ImageSize { get; init; }

    /// <summary>1 (grey), 3 (colour), or 0: whatever the data holds.</summary>
    public int Channels { get; init; }
}
