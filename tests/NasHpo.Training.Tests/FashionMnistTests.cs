using NasHpo.Training.Data;

namespace NasHpo.Training.Tests;

public sealed class FashionMnistTests
{
    [Fact]
    public void A_missing_directory_names_it_and_the_debian_package()
    {
        var missing = Path.Combine(Path.GetTempPath(), "nashpo-no-such-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(new FashionMnistOptions { DataDirectory = missing }));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_names_the_directory_the_file_and_the_debian_package()
    {
        using var files = new IdxFiles();

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory }));

        Assert.Contains(files.Directory, error.Message, StringComparison.Ordinal);
        Assert.Contains(FashionMnist.TrainImages, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Splits_training_images_into_training_and_validation_and_keeps_the_test_images(bool gzip)
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 50, test: 20, gzip);

        using var data = FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory, Seed = 3 });

        Assert.Equal(40, data.Training.Count);
        Assert.Equal(10, data.Validation.Count);
        Assert.Equal(20, data.Test!.Count);
        Assert.Equal(new long[] { 40, 1, 28, 28 }, data.Training.Images.shape);
        // Test images keep the file order: the synthetic labels cycle 0..9.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)(i % 10)).ToArray(), data.Test.Labels.data<long>().ToArray());
    }

    [Fact]
    public void The_split_depends_on_the_seed_only()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 60, test: 10);

        long[] ValidationLabelsAndFirstPixels(long seed)
        {
            using var data = FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory, Seed = seed, ValidationFraction = 0.5 });
            using var sums = data.Validation.Images.sum([1, 2, 3]);
            return [.. data.Validation.Labels.data<long>(), .. sums.data<float>().Select(s => (long)(s * 1000))];
        }

        Assert.Equal(ValidationLabelsAndFirstPixels(1), ValidationLabelsAndFirstPixels(1));
        Assert.NotEqual(ValidationLabelsAndFirstPixels(1), ValidationLabelsAndFirstPixels(2));
    }

    [Fact]
    public void A_split_seed_fixes_the_split_whatever_the_training_seed()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 60, test: 10);

        float[] ValidationPixelSums(long seed, long? splitSeed)
        {
            using var data = FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory, Seed = seed, SplitSeed = splitSeed, ValidationFraction = 0.5 });
            using var sums = data.Validation.Images.sum([1, 2, 3]);
            return sums.data<float>().ToArray();
        }

        Assert.Equal(ValidationPixelSums(1, splitSeed: 7), ValidationPixelSums(2, splitSeed: 7));
        Assert.Equal(ValidationPixelSums(7, splitSeed: null), ValidationPixelSums(2, splitSeed: 7));
        Assert.NotEqual(ValidationPixelSums(1, splitSeed: null), ValidationPixelSums(2, splitSeed: null));
    }

    [Fact]
    public void Training_and_validation_never_share_an_image()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 40, test: 5);

        using var data = FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory, Seed = 9, ValidationFraction = 0.25 });

        // Every synthetic image has its own noise, so its pixel sum identifies it.
        var training = data.Training.Images.sum([1, 2, 3]).data<float>().ToHashSet();
        var validation = data.Validation.Images.sum([1, 2, 3]).data<float>().ToArray();
        Assert.Equal(30, training.Count);
        Assert.DoesNotContain(validation, training.Contains);
    }

    [Fact]
    public void Subsets_and_downsampling_apply()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 50, test: 20);

        using var data = FashionMnist.Load(new FashionMnistOptions
        {
            DataDirectory = files.Directory,
            TrainingSubset = 7,
            ValidationSubset = 3,
            TestSubset = 4,
            ImageSize = 16,
        });

        Assert.Equal(new long[] { 7, 1, 16, 16 }, data.Training.Images.shape);
        Assert.Equal(new long[] { 3, 1, 16, 16 }, data.Validation.Images.shape);
        Assert.Equal(new long[] { 4, 1, 16, 16 }, data.Test!.Images.shape);
        Assert.Equal(new long[] { 4 }, data.Test.Labels.shape);
    }

    [Fact]
    public void Labels_out_of_range_are_rejected()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 10, test: 10);
        files.Write(FashionMnist.TrainLabels, IdxFiles.Encode([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 12]), gzip: true);

        var error = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory }));

        Assert.Contains("label 12 at index 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => FashionMnist.Load(new FashionMnistOptions { ValidationFraction = 1.0 }));
        Assert.Throws<ArgumentException>(() => FashionMnist.Load(new FashionMnistOptions { ImageSize = 32 }));
        Assert.Throws<ArgumentException>(() => FashionMnist.Load(new FashionMnistOptions { TrainingSubset = 0 }));
    }

    [RealFashionMnistFact]
    public void Reads_the_real_dataset_from_the_debian_package()
    {
        using var data = FashionMnist.Load(new FashionMnistOptions { ValidationSubset = 100, TestSubset = 100, ImageSize = 16 });

        Assert.Equal(48_000, data.Training.Count);
        Assert.Equal(100, data.Validation.Count);
        Assert.Equal(100, data.Test!.Count);
        using var labelCounts = data.Training.Labels.bincount(null);
        Assert.All(labelCounts.data<long>().ToArray(), count => Assert.InRange(count, 4_500, 5_100));
        using var mean = data.Training.Images.mean();
        Assert.InRange(mean.item<float>(), -0.05f, 0.05f);
    }
}
