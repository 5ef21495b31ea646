using System.Buffers.Binary;
using NasHpo.Training.Data;

namespace NasHpo.Training.Tests;

public sealed class NpyTests
{
    private static NpyArray Read(byte[] bytes) => NpyReader.Read(new MemoryStream(bytes), "test.npy");

    [Fact]
    public void Reads_every_supported_element_type_in_c_order()
    {
        var u1 = Read(ImageFiles.Npy("|u1", [2, 3], [0, 1, 2, 253, 254, 255]));
        Assert.Equal(new[] { 2, 3 }, u1.Shape);
        Assert.Equal(new float[] { 0, 1, 2, 253, 254, 255 }, u1.Data);

        Assert.Equal(new float[] { 1.5f, -2f }, Read(ImageFiles.Npy("<f4", [2], ImageFiles.Float32([1.5f, -2f]))).Data);
        Assert.Equal(new float[] { 0.25f, 3f }, Read(ImageFiles.Npy("<f8", [2], ImageFiles.Float64([0.25, 3.0]))).Data);
        Assert.Equal(new float[] { 16, 0 }, Read(ImageFiles.Npy("<i8", [2], ImageFiles.Int64([16, 0]))).Data);
        Assert.Equal(new float[] { 7, -1 }, Read(ImageFiles.Npy("<i4", [2], [7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])).Data);

        var big = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(big, 0.5);
        Assert.Equal(new float[] { 0.5f }, Read(ImageFiles.Npy(">f8", [1], big)).Data);
    }

    [Fact]
    public void Refuses_what_it_cannot_read_in_one_line_naming_the_file()
    {
        string Refusal(byte[] bytes) => Assert.Throws<InvalidDataException>(() => Read(bytes)).Message;

        Assert.Contains("'test.npy' is not a .npy array this engine reads: it is stored in Fortran order", Refusal(ImageFiles.Npy("<f8", [1, 2], ImageFiles.Float64([1, 2]), fortran: true)), StringComparison.Ordinal);
        Assert.Contains("its element type '<c16' is not supported (u1, i4, i8, f4 or f8)", Refusal(ImageFiles.Npy("<c16", [1], new byte[16])), StringComparison.Ordinal);
        Assert.Contains("it holds 2 values where its shape (3) declares 3", Refusal(ImageFiles.Npy("<f4", [3], ImageFiles.Float32([1, 2]))), StringComparison.Ordinal);
        Assert.Contains("it has bytes after the 1 values", Refusal(ImageFiles.Npy("|u1", [1], [1, 2])), StringComparison.Ordinal);
        Assert.Contains("does not start with the .npy magic", Refusal("PK\x03\x04 a zip file"u8.ToArray()), StringComparison.Ordinal);
        Assert.All(new[] { Refusal(ImageFiles.Npy("<c16", [1], new byte[16])), Refusal([1, 2, 3]) }, message => Assert.DoesNotContain('\n', message));
    }

    /// <summary>Writes x_/y_ files of one split: four 2x2 images whose class (0-2) is their brightness.</summary>
    private static void WriteSplit(string directory, string split, string layout, bool oneHot, int count = 6)
    {
        var labels = Enumerable.Range(0, count).Select(i => (long)(i % 3)).ToArray();
        int[] shape = layout switch
        {
            "nhwc" => [count, 2, 2, 3],
            "nchw" => [count, 3, 2, 2],
            _ => [count, 2, 2],
        };
        var perImage = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        var pixels = labels.SelectMany(l => Enumerable.Repeat((byte)(40 + (80 * l)), perImage)).ToArray();
        File.WriteAllBytes(Path.Combine(directory, $"x_{split}.npy"), ImageFiles.Npy("|u1", shape, pixels));
        File.WriteAllBytes(
            Path.Combine(directory, $"y_{split}.npy"),
            oneHot
                ? ImageFiles.Npy("<f8", [count, 3], ImageFiles.Float64(labels.SelectMany(l => Enumerable.Range(0, 3).Select(k => k == l ? 1.0 : 0.0))))
                : ImageFiles.Npy("<i8", [count], ImageFiles.Int64(labels)));
    }

    [Theory]
    [InlineData("nhwc", 3, false)]
    [InlineData("nchw", 3, true)]
    [InlineData("nhw", 1, false)]
    public void Loads_a_split_in_every_layout_with_class_numbers_or_one_hot_labels(string layout, int channels, bool oneHot)
    {
        using var files = new ImageFiles();
        WriteSplit(files.Root, "train", layout, oneHot);
        WriteSplit(files.Root, "val", layout, oneHot, count: 3);
        WriteSplit(files.Root, "test", layout, oneHot, count: 3);

        using var data = ImageDatasets.Load(new ImageDataOptions { Format = ImageDataFormat.Npy, Directory = files.Root });

        Assert.Equal(3, data.Classes);
        Assert.Equal(channels, data.Channels);
        Assert.Equal(2, data.ImageSize);
        Assert.Equal((6, 3, 3), (data.Training.Count, data.Validation.Count, data.Test!.Count));
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2 }, data.Training.Labels.data<long>().ToArray());
        // Brightness follows the class, through standardisation.
        var means = Enumerable.Range(0, 3).Select(i => data.Training.Images[i].mean().item<float>()).ToArray();
        Assert.True(means[0] < means[1] && means[1] < means[2]);
    }

    [Fact]
    public void Bad_arrays_are_refused_naming_the_file()
    {
        using var files = new ImageFiles();
        var options = new ImageDataOptions { Format = ImageDataFormat.Npy, Directory = files.Root };
        string Refusal() => DataRefusal.Of(() => ImageDatasets.Load(options).Dispose()).Message;

        Assert.Contains($"'{Path.Combine(files.Root, "x_train.npy")}' does not exist", Refusal(), StringComparison.Ordinal);

        WriteSplit(files.Root, "train", "nhwc", oneHot: false);
        File.WriteAllBytes(Path.Combine(files.Root, "y_train.npy"), ImageFiles.Npy("<i8", [5], ImageFiles.Int64([0, 1, 2, 0, 1])));
        Assert.Contains($"'{Path.Combine(files.Root, "y_train.npy")}' holds 5 labels for the 6 images in '{Path.Combine(files.Root, "x_train.npy")}'", Refusal(), StringComparison.Ordinal);

        WriteSplit(files.Root, "train", "nhwc", oneHot: false);
        File.WriteAllBytes(Path.Combine(files.Root, "x_val.npy"), File.ReadAllBytes(Path.Combine(files.Root, "x_train.npy")));
        Assert.Contains($"'{Path.Combine(files.Root, "y_val.npy")}' does not exist", Refusal(), StringComparison.Ordinal);
        File.Delete(Path.Combine(files.Root, "x_val.npy"));

        File.WriteAllBytes(Path.Combine(files.Root, "y_train.npy"), ImageFiles.Npy("<i8", [6], ImageFiles.Int64([1, 1, 1, 1, 1, 1])));
        Assert.Contains("has images of only one class", Refusal(), StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(files.Root, "x_train.npy"), ImageFiles.Npy("|u1", [6, 2, 2, 5], new byte[120]));
        Assert.Contains("holds an array of 6 x 2 x 2 x 5, not images", Refusal(), StringComparison.Ordinal);

        Assert.Contains("does not exist", DataRefusal.Of(() => ImageDatasets.Load(options with { Directory = files.PathOf("nowhere") })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_files_load_from_any_directory_with_classes_from_the_labels()
    {
        using var files = new IdxFiles();
        var rng = new Random(5);
        var labels = Enumerable.Range(0, 40).Select(i => (byte)(i % 4)).ToArray();
        var images = labels.SelectMany(l => Enumerable.Range(0, 36).Select(_ => (byte)((l * 60) + rng.Next(0, 20)))).ToArray();
        files.Write("train-images-idx3-ubyte", IdxFiles.Encode([40, 6, 6], images), gzip: false);
        files.Write("train-labels-idx1-ubyte", IdxFiles.Encode([40], labels), gzip: true);
        files.Write("test-images-idx3-ubyte", IdxFiles.Encode([40, 6, 6], images), gzip: true);
        files.Write("test-labels-idx1-ubyte", IdxFiles.Encode([40], labels), gzip: false);

        using var data = ImageDatasets.Load(new ImageDataOptions { Format = ImageDataFormat.Idx, Directory = files.Directory, ValidationFraction = 0.25, ImageSize = 4 });

        Assert.Equal(4, data.Classes);
        Assert.Equal(1, data.Channels);
        Assert.Equal((30, 10, 40), (data.Training.Count, data.Validation.Count, data.Test!.Count));
        Assert.Equal(new long[] { 40, 1, 4, 4 }, data.Test.Images.shape);
    }
}
