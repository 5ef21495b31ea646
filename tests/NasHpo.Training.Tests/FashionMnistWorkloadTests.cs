using System.Diagnostics;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using Xunit.Abstractions;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

public sealed class FashionMnistWorkloadTests(ITestOutputHelper output)
{
    private static readonly SearchConfiguration TinyNet = Table2.Configuration([(8, 3, true)], [32], learningRate: 3e-3, batchSize: 32);

    private static TrialRequest Request(SearchConfiguration configuration, double epochs) =>
        new(new TrialId(1, epochs), configuration, Bracket: 0, Rung: 0, Parent: null);

    private static WorkloadContext Context(List<WorkloadProgress> progress, CancellationToken cancellation = default) =>
        new("cpu-0", p => progress.Add(p), cancellation);

    [RealFashionMnistFact]
    public void One_epoch_on_512_real_images_learns_something()
    {
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions
        {
            Data = new FashionMnistOptions { TrainingSubset = 512, ValidationSubset = 512, TestSubset = 512, ImageSize = 16, Seed = 1 },
        });
        var progress = new List<WorkloadProgress>();

        var stopwatch = Stopwatch.StartNew();
        var result = workload.Run(Request(TinyNet, 1), Context(progress));
        output.WriteLine($"one epoch of 512 16x16 images, loading included: {stopwatch.Elapsed.TotalSeconds:F2} s; training alone {result.Metrics["train-time-s"]:F3} s; val-error {result.Objectives[0]:F3}, test-error {result.Metrics[FashionMnistWorkload.TestError]:F3}, params {result.Objectives[1]}, flops {result.Metrics[FashionMnistWorkload.Flops]}");

        Assert.Equal(2, result.Objectives.Count);
        Assert.All(result.Objectives, value => Assert.True(double.IsFinite(value)));
        Assert.InRange(result.Objectives[0], 0.0, 0.9);
        Assert.InRange(result.Metrics[FashionMnistWorkload.TestError], 0.0, 0.9);
        Assert.Equal(result.Metrics[FashionMnistWorkload.ParameterCount], result.Objectives[1]);
        Assert.True(result.Metrics[FashionMnistWorkload.Flops] > 0);
        Assert.Equal(1.0, Assert.Single(progress).Done);
    }

    [Fact]
    public void Trains_on_synthetic_idx_data_and_reports_every_epoch()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 400, test: 100);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions
        {
            Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16 },
            Objectives = [FashionMnistWorkload.ValidationError, FashionMnistWorkload.ParameterCount, FashionMnistWorkload.Flops],
        });
        var progress = new List<WorkloadProgress>();

        var result = workload.Run(Request(TinyNet, 2), Context(progress));

        Assert.Equal(new[] { "val-error", "params", "flops" }, workload.Objectives.Select(o => o.Name));
        Assert.Equal(ObjectiveCost.Cheap, workload.Objectives[1].Cost);
        Assert.All(result.Objectives, value => Assert.True(double.IsFinite(value)));
        // The band of bright rows gives the class away: two epochs should nearly solve it.
        Assert.InRange(result.Objectives[0], 0.0, 0.3);
        Assert.Equal(new[] { 1.0, 2.0 }, progress.Select(p => p.Done));
        Assert.All(progress, p => Assert.Equal(2.0, p.Total));
    }

    [Fact]
    public void A_fractional_budget_trains_part_of_the_last_epoch()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 200, test: 20);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16 } });
        var progress = new List<WorkloadProgress>();

        workload.Run(Request(TinyNet, 1.5), Context(progress));

        Assert.Equal(new[] { 1.0, 1.5 }, progress.Select(p => p.Done));
    }

    [Fact]
    public void A_diverging_trial_fails_with_a_clear_reason()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 200, test: 20);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16 } });
        // Adam moves every weight by about the learning rate per step: 1e30 overflows float32 on the next pass.
        var exploding = Table2.Configuration([(4, 3, false)], [8], learningRate: 1e30, batchSize: 16);

        var error = Assert.Throws<TrainingDivergedException>(() => workload.Run(Request(exploding, 1), Context([])));

        Assert.Contains("training diverged: the loss became", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate 1E+30", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_too_large_for_a_float_is_a_divergence_too()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 200, test: 20);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16 } });
        // Adam's first step moves every weight by lr / (1 - 0.9) = 1e40, beyond float32: libtorch refuses the step
        // itself, before any loss can become infinite.
        var absurd = Table2.Configuration([(4, 3, false)], [8], learningRate: 1e39, batchSize: 16);

        var error = Assert.Throws<TrainingDivergedException>(() => workload.Run(Request(absurd, 1), Context([])));

        Assert.Contains("training diverged: the update overflowed in epoch 1, batch 1 of", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate 1E+39", error.Message, StringComparison.Ordinal);
        Assert.Contains("without overflow", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unbuildable_configuration_fails_with_a_clear_reason()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 20, test: 10);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 4 } });
        var deep = Table2.Configuration([(4, 3, false), (4, 3, false), (4, 3, false)], [8]);

        var error = Assert.Throws<Models.InvalidArchitectureException>(() => workload.Run(Request(deep, 1), Context([])));

        Assert.Contains("too many for a 4x4 image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Honours_cancellation()
    {
        using var files = new IdxFiles();
        files.WriteFashionMnist(train: 20, test: 10);
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16 } });

        Assert.ThrowsAny<OperationCanceledException>(() => workload.Run(Request(TinyNet, 1), Context([], new CancellationToken(canceled: true))));
    }

    [Fact]
    public void Devices_are_parsed_and_cuda_falls_back_to_the_cpu_with_a_note_when_absent()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, FashionMnistWorkload.SelectDevice("cpu-1", out var none).type);
        Assert.Null(none);
        if (!TorchSharp.torch.cuda.is_available())
        {
            Assert.Equal(TorchSharp.DeviceType.CPU, FashionMnistWorkload.SelectDevice("cuda:0", out var note).type);
            Assert.Contains("training on the CPU", note, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentException>(() => FashionMnistWorkload.SelectDevice("tpu", out _));
        Assert.Throws<ArgumentException>(() => new FashionMnistWorkload(new FashionMnistWorkloadOptions { Objectives = ["accuracy"] }));
    }
}
