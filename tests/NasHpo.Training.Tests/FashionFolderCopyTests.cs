using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using Xunit.Abstractions;

namespace NasHpo.Training.Tests;

/// <summary>Fashion-MNIST as PNG folders trains like the same images as IDX files: the folder path loses nothing.</summary>
public sealed class FashionFolderCopyTests(ITestOutputHelper output)
{
    [RealFashionMnistFact]
    public void A_folder_copy_of_a_fashion_mnist_subset_gives_the_accuracy_of_its_idx_files()
    {
        const int Train = 2000, Validation = 500, Test = 500;
        var images = IdxReader.Read(Path.Combine(RealFashionMnistFactAttribute.DebianDirectory, "train-images-idx3-ubyte.gz"));
        var labels = IdxReader.Read(Path.Combine(RealFashionMnistFactAttribute.DebianDirectory, "train-labels-idx1-ubyte.gz"));
        using var idx = new IdxFiles();
        using var folders = new ImageFiles();
        foreach (var (split, start, count) in new[] { ("train", 0, Train), ("validation", Train, Validation), ("test", Train + Validation, Test) })
        {
            idx.Write($"{split}-images-idx3-ubyte", IdxFiles.Encode([count, 28, 28], images.Data.AsSpan(start * 784, count * 784).ToArray()), gzip: true);
            idx.Write($"{split}-labels-idx1-ubyte", IdxFiles.Encode([count], labels.Data.AsSpan(start, count).ToArray()), gzip: true);
            for (var i = 0; i < count; i++)
            {
                var folder = folders.PathOf(split, $"class-{labels.Data[start + i]}");
                Directory.CreateDirectory(folder);
                File.WriteAllBytes(Path.Combine(folder, $"{start + i:D5}.png"), ImageFiles.GreyPng(images.Data.AsSpan((start + i) * 784, 784).ToArray(), 28, 28));
            }
        }

        var configuration = Table2.Configuration([(8, 3, true)], [32], learningRate: 3e-3, batchSize: 64);
        double Run(ImageDataOptions data)
        {
            using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { ImageData = data with { ImageSize = 28, Seed = 7 } });
            var result = workload.Run(new TrialRequest(new TrialId(1, 2), configuration, 0, 0, null), new WorkloadContext("cpu-0", _ => { }, CancellationToken.None));
            return result.Objectives[0];
        }

        var fromIdx = Run(new ImageDataOptions { Format = ImageDataFormat.Idx, Directory = idx.Directory });
        var fromFolders = Run(new ImageDataOptions
        {
            Format = ImageDataFormat.ImageFolder,
            Directory = folders.PathOf("train"),
            ValidationDirectory = folders.PathOf("validation"),
            TestDirectory = folders.PathOf("test"),
        });

        output.WriteLine($"2 epochs, {Train} training / {Validation} validation images: val-error from IDX {fromIdx:F4}, from PNG folders {fromFolders:F4}");
        Assert.InRange(fromIdx, 0.0, 0.3);
        // The pixels and the split are the same; only the order of the images (by class folder) differs, and with it
        // the batches of each epoch: about one standard error of a 500-image error rate (~0.016) apart, at most.
        Assert.InRange(Math.Abs(fromIdx - fromFolders), 0.0, 0.04);
    }
}
