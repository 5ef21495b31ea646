using SkiaSharp;

namespace NasHpo.Training.Data;

/// <summary>
/// Folders of images, one subfolder per class (the layout of torchvision's ImageFolder and Keras'
/// image_dataset_from_directory): PNG and JPEG files decoded with SkiaSharp, each resized to the study's square size.
/// The training folder's subfolders, in ordinal order, are the classes; a validation or test folder uses the same
/// names. Grey or colour is the data's (mixed is refused) unless the study asks for 1 or 3 channels.
/// </summary>
internal static class ImageFolderReader
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    public static ImageDataset Load(ImageDataOptions options)
    {
        var classes = ClassFolders(options.Directory, "training");
        if (classes.Length < 2)
        {
            throw new InvalidDataException($"the training folder '{options.Directory}' has only one class folder ('{Path.GetFileName(classes[0])}'); a classifier needs at least two");
        }

        var names = classes.Select(Path.GetFileName).ToArray();
        var size = options.ImageSize > 0 ? options.ImageSize : throw new ArgumentException("an image folder needs an image size to resize its images to");
        var decoder = new Decoder(size, options.Channels);
        var training = decoder.Read(options.Directory, classes, names!);
        var validation = options.ValidationDirectory is { } v ? decoder.Read(v, Matching(v, "validation", names!, options.Directory), names!) : null;
        var test = options.TestDirectory is { } t ? decoder.Read(t, Matching(t, "test", names!, options.Directory), names!) : null;
        return ImageDatasets.Build(training, validation, test, names.Length, options);
    }

    private static string[] ClassFolders(string folder, string role)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"the {role} folder '{folder}' does not exist");
        }

        var classes = Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return classes.Length > 0
            ? classes
            : throw new InvalidDataException($"the {role} folder '{folder}' has no class subfolders (put each class's images in a subfolder named after it)");
    }

    /// <summary>A validation or test folder's class folders, each one a class of the training folder.</summary>
    private static string[] Matching(string folder, string role, string[] names, string trainingFolder)
    {
        var classes = ClassFolders(folder, role);
        foreach (var path in classes)
        {
            if (!names.Contains(Path.GetFileName(path), StringComparer.Ordinal))
            {
                throw new InvalidDataException($"'{path}' is not a class of the training folder '{trainingFolder}' (its classes: {string.Join(", ", names)})");
            }
        }

        return classes;
    }

    /// <summary>Decodes images into one buffer, at one size, with one channel count (fixed by the first image under auto).</summary>
    private sealed class Decoder(int size, int channelsAsked)
    {
        private readonly bool _auto = channelsAsked == 0;
        private int _channels = channelsAsked;
        private string? _firstImage;

        public RawImages Read(string folder, string[] classFolders, string[] classNames)
        {
            var files = new List<(string Path, long Label)>();
            foreach (var classFolder in classFolders)
            {
                var label = Array.IndexOf(classNames, Path.GetFileName(classFolder));
                var images = Directory.EnumerateFiles(classFolder)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                if (images.Length == 0)
                {
                    throw new InvalidDataException($"the class folder '{classFolder}' has no PNG or JPEG images");
                }

                files.AddRange(images.Select(f => (f, (long)label)));
            }

            float[]? pixels = null;
            for (var i = 0; i < files.Count; i++)
            {
                var (grey, rgba) = Decode(files[i].Path);
                if (_channels == 0)
                {
                    _channels = grey ? 1 : 3;
                    _firstImage = files[i].Path;
                }
                else if (_auto && (grey ? 1 : 3) != _channels)
                {
                    throw new InvalidDataException($"'{files[i].Path}' is {(grey ? "grey" : "colour")} but '{_firstImage}' is {(grey ? "colour" : "grey")}: mixed channel counts (set study.problem.channels = 1 or 3 to convert)");
                }

                pixels ??= new float[(long)files.Count * _channels * size * size];
                Store(rgba, pixels, (long)i * _channels * size * size);
            }

            return new RawImages(pixels!, files.Count, _channels, size, size, files.Select(f => f.Label).ToArray(), folder);
        }

        /// <summary>RGBA bytes at size x size (alpha ignored), and whether the file itself is grey.</summary>
        private (bool Grey, byte[] Rgba) Decode(string path)
        {
            using var codec = SKCodec.Create(path, out var opened);
            if (codec is null)
            {
                throw new InvalidDataException(opened == SKCodecResult.IncompleteInput
                    ? $"'{path}' is not a whole image (truncated)"
                    : $"'{path}' cannot be decoded as an image ({opened})");
            }

            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            using var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
            {
                // IncompleteInput: a truncated file, which Skia would otherwise fill with blank rows.
                throw new InvalidDataException($"'{path}' is not a whole image ({(result == SKCodecResult.IncompleteInput ? "truncated" : result.ToString())})");
            }

            var grey = codec.Info.ColorType == SKColorType.Gray8;
            if (info.Width == size && info.Height == size)
            {
                return (grey, bitmap.GetPixelSpan().ToArray());
            }

            using var resized = bitmap.Resize(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
                ?? throw new InvalidDataException($"'{path}' could not be resized to {size}x{size}");
            return (grey, resized.GetPixelSpan().ToArray());
        }

        private void Store(byte[] rgba, float[] pixels, long offset)
        {
            var plane = size * size;
            for (var p = 0; p < plane; p++)
            {
                float r = rgba[4 * p], g = rgba[(4 * p) + 1], b = rgba[(4 * p) + 2];
                if (_channels == 1)
                {
                    // A grey pixel (r = g = b) keeps its value exactly; colour becomes its BT.601 luma.
                    pixels[offset + p] = (r == g && g == b ? r : (0.299f * r) + (0.587f * g) + (0.114f * b)) / 255f;
                }
                else
                {
                    pixels[offset + p] = r / 255f;
                    pixels[offset + plane + p] = g / 255f;
                    pixels[offset + (2 * plane) + p] = b / 255f;
                }
            }
        }
    }
}
