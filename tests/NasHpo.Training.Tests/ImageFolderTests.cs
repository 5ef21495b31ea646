using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using Xunit.Abstractions;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

public sealed class ImageFolderTests(ITestOutputHelper output)
{
    private static readonly SearchConfiguration SmallNet = Table2.Configuration([(8, 3, true), (16, 3, true)], [32], learningRate: 3e-3, batchSize: 32);

    private static TrialRequest Request(SearchConfiguration configuration, double epochs) =>
        new(new TrialId(1, epochs), configuration, Bracket: 0, Rung: 0, Parent: null);

    private static WorkloadContext Context() => new("cpu-0", _ => { }, CancellationToken.None);

    private static ImageDataOptions Folders(ImageFiles files, bool validation = true, int size = 16, int channels = 0) => new()
    {
        Format = ImageDataFormat.ImageFolder,
        Directory = files.PathOf("train"),
        ValidationDirectory = validation ? files.PathOf("val") : null,
        TestDirectory = files.PathOf("test"),
        ImageSize = size,
        Channels = channels,
        Seed = 3,
    };

    private static ImageFiles Shapes(int trainPerClass = 60, int evaluatePerClass = 20)
    {
        var files = new ImageFiles();
        files.WriteShapes("train", trainPerClass, 32, seed: 1);
        files.WriteShapes("val", evaluatePerClass, 32, seed: 2);
        files.WriteShapes("test", evaluatePerClass, 32, seed: 3);
        return files;
    }

    [Fact]
    public void Coloured_shapes_in_png_and_jpeg_are_learned_well_above_chance()
    {
        using var files = Shapes();
        var options = Folders(files);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { ImageData = options });

        var result = workload.Run(Request(SmallNet, 4), Context());

        var validationError = result.Objectives[0];
        output.WriteLine($"3 classes, 180 training images: val-error {validationError:F3}, test-error {result.Metrics[FashionMnistWorkload.TestError]:F3} (chance 0.667), params {result.Objectives[1]}");
        Assert.InRange(validationError, 0.0, 0.35);
        Assert.InRange(result.Metrics[FashionMnistWorkload.TestError], 0.0, 0.35);
    }

    [Fact]
    public void Classes_and_channels_come_from_the_data_and_the_parameters_from_the_built_network()
    {
        using var files = Shapes(trainPerClass: 4, evaluatePerClass: 2);
        using (var data = ImageDatasets.Load(Folders(files)))
        {
            Assert.Equal(3, data.Classes);
            Assert.Equal(3, data.Channels);
            Assert.Equal(16, data.ImageSize);
            Assert.Equal(12, data.Training.Count);
            Assert.Equal(new long[] { 3, 3, 16, 16 }, data.Training.Images.narrow(0, 0, 3).shape);
        }

        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { ImageData = Folders(files) });
        var cheap = workload.EvaluateCheap(SmallNet, [FashionMnistWorkload.ParameterCount]);

        using var built = ConvNetBuilder.Build(SmallNet, 16, channels: 3, classes: 3);
        var output = built.Module.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.Linear>().Last();
        Assert.Equal(3, output.weight!.shape[0]);
        Assert.Equal(built.Parameters, cheap[FashionMnistWorkload.ParameterCount]);
        using var tenClasses = ConvNetBuilder.Build(SmallNet, 16, channels: 3, classes: 10);
        // The papers' reference code counted a 10-class network whatever the data: 33 output weights and 7 biases more.
        Assert.Equal(tenClasses.Parameters - ((32 + 1) * 7), built.Parameters);

        var trained = workload.Run(Request(SmallNet, 1), Context());
        Assert.Equal(built.Parameters, trained.Objectives[1]);
    }

    [Fact]
    public void Paper_000s_residual_network_trains_on_an_image_folder()
    {
        using var files = Shapes(trainPerClass: 10, evaluatePerClass: 4);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { ImageData = Folders(files), Model = NetworkModel.Residual });
        var configuration = ResidualNetTests.Residual(initialFilters: 4, batchSize: 16);

        var result = workload.Run(Request(configuration, 1), Context());

        using var built = ResidualNetBuilder.Build(configuration, 16, channels: 3, classes: 3);
        Assert.Equal(built.Parameters, result.Objectives[1]);
        Assert.True(double.IsFinite(result.Objectives[0]));
    }

    [Fact]
    public void Without_a_validation_folder_a_seeded_share_of_the_training_folder_is_held_out()
    {
        using var files = Shapes(trainPerClass: 10, evaluatePerClass: 2);
        using var first = ImageDatasets.Load(Folders(files, validation: false) with { ValidationFraction = 0.2 });
        using var again = ImageDatasets.Load(Folders(files, validation: false) with { ValidationFraction = 0.2 });

        Assert.Equal(24, first.Training.Count);
        Assert.Equal(6, first.Validation.Count);
        Assert.Equal(first.Validation.Labels.data<long>().ToArray(), again.Validation.Labels.data<long>().ToArray());
        // Standardised with the training split's statistics: its per-channel mean is 0 and its deviation 1.
        var mean = first.Training.Images.mean([0L, 2L, 3L]);
        Assert.All(mean.data<float>().ToArray(), m => Assert.InRange(m, -1e-4f, 1e-4f));
    }

    [Fact]
    public void Channels_can_be_forced_grey_or_colour()
    {
        using var files = Shapes(trainPerClass: 3, evaluatePerClass: 1);
        using var grey = ImageDatasets.Load(Folders(files, channels: 1));
        Assert.Equal(1, grey.Channels);
        Assert.Equal(1, grey.Training.Images.shape[1]);
    }

    [Fact]
    public void Bad_folders_are_refused_naming_the_folder_or_file()
    {
        using var files = Shapes(trainPerClass: 3, evaluatePerClass: 1);
        string Refusal(ImageDataOptions options) => DataRefusal.Of(() => ImageDatasets.Load(options).Dispose()).Message;

        var missing = files.PathOf("nowhere");
        Assert.Contains($"the training folder '{missing}' does not exist", Refusal(Folders(files) with { Directory = missing }), StringComparison.Ordinal);
        Assert.Contains($"the validation folder '{missing}' does not exist", Refusal(Folders(files) with { ValidationDirectory = missing }), StringComparison.Ordinal);

        Directory.CreateDirectory(files.PathOf("val", "hexagon"));
        Assert.Contains($"'{files.PathOf("val", "hexagon")}' is not a class of the training folder", Refusal(Folders(files)), StringComparison.Ordinal);
        Directory.Delete(files.PathOf("val", "hexagon"));
        Directory.CreateDirectory(files.PathOf("train", "hexagon"));
        Assert.Contains($"the class folder '{files.PathOf("train", "hexagon")}' has no PNG or JPEG images", Refusal(Folders(files)), StringComparison.Ordinal);
        Directory.Delete(files.PathOf("train", "hexagon"));

        Directory.CreateDirectory(files.PathOf("single", "only"));
        File.Copy(Directory.GetFiles(files.PathOf("train", "circle"))[0], files.PathOf("single", "only", "a.png"));
        Assert.Contains("has only one class folder ('only')", Refusal(Folders(files) with { Directory = files.PathOf("single") }), StringComparison.Ordinal);

        var unreadable = files.PathOf("train", "circle", "zz-noise.png");
        File.WriteAllText(unreadable, "not an image");
        Assert.Contains($"'{unreadable}' cannot be decoded as an image", Refusal(Folders(files)), StringComparison.Ordinal);
        File.Delete(unreadable);

        var whole = File.ReadAllBytes(Directory.GetFiles(files.PathOf("train", "square"), "*.png")[0]);
        var truncated = files.PathOf("train", "square", "zz-truncated.png");
        File.WriteAllBytes(truncated, whole[..(whole.Length * 2 / 3)]);
        Assert.Contains($"'{truncated}' is not a whole image", Refusal(Folders(files)), StringComparison.Ordinal);
        File.Delete(truncated);

        var greyImage = files.PathOf("train", "triangle", "zz-grey.png");
        File.WriteAllBytes(greyImage, ImageFiles.GreyPng(new byte[32 * 32], 32, 32));
        Assert.Contains($"'{greyImage}' is grey but", Refusal(Folders(files)), StringComparison.Ordinal);
        Assert.Contains("mixed channel counts", Refusal(Folders(files)), StringComparison.Ordinal);
        // Asked for colour, the grey image is converted instead.
        using (var colour = ImageDatasets.Load(Folders(files, channels: 3)))
        {
            Assert.Equal(3, colour.Channels);
        }
    }

    [Fact]
    public void A_truncated_jpeg_is_refused()
    {
        using var files = Shapes(trainPerClass: 3, evaluatePerClass: 1);
        var jpeg = Directory.GetFiles(files.PathOf("train", "circle"), "*.jpg")[0];
        var whole = File.ReadAllBytes(jpeg);
        File.WriteAllBytes(jpeg, whole[..(whole.Length / 2)]);

        var error = DataRefusal.Of(() => ImageDatasets.Load(Folders(files)).Dispose());
        output.WriteLine(error.Message);

        Assert.Contains($"'{jpeg}' is not a whole image (truncated)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grey_png_pixels_arrive_exactly()
    {
        using var files = new ImageFiles();
        var pixels = Enumerable.Range(0, 16).Select(i => (byte)(i * 16)).ToArray();
        foreach (var (name, offset) in new[] { ("a", 0), ("b", 1) })
        {
            Directory.CreateDirectory(files.PathOf("train", name));
            File.WriteAllBytes(files.PathOf("train", name, "x.png"), ImageFiles.GreyPng(pixels.Select(p => (byte)(p + offset)).ToArray(), 4, 4));
            File.WriteAllBytes(files.PathOf("train", name, "y.png"), ImageFiles.GreyPng(pixels.Select(p => (byte)(255 - p - offset)).ToArray(), 4, 4));
        }

        using var data = ImageDatasets.Load(new ImageDataOptions { Format = ImageDataFormat.ImageFolder, Directory = files.PathOf("train"), ImageSize = 4, ValidationFraction = 0.25 });

        Assert.Equal(1, data.Channels);
        Assert.Equal(2, data.Classes);
        // Standardised values keep the order and spacing of the pixels: 16 distinct levels per image.
        var first = data.Training.Images[0].flatten().data<float>().ToArray();
        Assert.Equal(16, first.Distinct().Count());
    }
}
