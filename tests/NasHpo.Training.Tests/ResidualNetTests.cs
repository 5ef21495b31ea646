using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

public sealed class ResidualNetTests
{
    /// <summary>A configuration of hocon/spaces/bohb-resnet-000.conf; the same blocks, branches and widening in every stage unless given per stage.</summary>
    internal static SearchConfiguration Residual(
        int[]? blocks = null,
        int[]? branches = null,
        double[]? widen = null,
        int initialFilters = 8,
        double learningRate = 0.05,
        int batchSize = 32,
        double weightDecay = 5e-4,
        double momentum = 0.9,
        double shakeShakeAlpha = 1.0,
        int cutoutLength = 0,
        double deathRate = 0.0)
    {
        blocks ??= [1, 1, 1];
        branches ??= [1, 1, 1];
        widen ??= [1.0, 1.0, 1.0];
        var values = new Dictionary<string, ParameterValue>
        {
            ["initial_filters"] = ParameterValue.Of(initialFilters),
            ["learning_rate"] = ParameterValue.Of(learningRate),
            ["batch_size"] = ParameterValue.Of(batchSize),
            ["weight_decay"] = ParameterValue.Of(weightDecay),
            ["momentum"] = ParameterValue.Of(momentum),
            ["shake_shake_alpha"] = ParameterValue.Of(shakeShakeAlpha),
            ["cutout_length"] = ParameterValue.Of(cutoutLength),
            ["shakedrop_death_rate"] = ParameterValue.Of(deathRate),
        };
        for (var i = 0; i < 3; i++)
        {
            values[$"blocks_{i + 1}"] = ParameterValue.Of(blocks[i]);
            values[$"branches_{i + 1}"] = ParameterValue.Of(branches[i]);
            values[$"widen_{i + 1}"] = ParameterValue.Of(widen[i]);
        }

        return new SearchConfiguration(values);
    }

    [Fact]
    public void Counts_parameters_and_multiply_accumulates_of_the_tiny_network_as_by_hand()
    {
        using var net = ResidualNetBuilder.Build(Residual(), imageSize: 16);

        // Stem: conv 1 -> 8 (no bias) 72, batch norm 16. A branch: two 8 -> 8 convolutions 2 x 576, two batch
        // norms 2 x 16 = 1184. Stage 1 adds its input unchanged; stages 2 and 3 change the resolution, so they
        // project it: 1x1 conv 64 and batch norm 16. Classifier 8 -> 10: 90.
        Assert.Equal(72 + 16 + 1184 + (1184 + 80) + (1184 + 80) + 90, net.Parameters);
        // Output positions: stem and stage 1 16x16, stage 2 8x8, stage 3 4x4.
        long macs = (72 * 256) + (2 * 576 * 256) + (2 * 576 * 64) + (64 * 64) + (2 * 576 * 16) + (64 * 16) + 80;
        Assert.Equal(macs, net.MultiplyAccumulates);
        Assert.Equal([8, 8, 8], net.Spec.StageWidths);
        Assert.Equal(new long[] { 1, 8, 4, 4 }, net.Shapes[^2]);
        Assert.Equal(new long[] { 1, 10 }, net.Shapes[^1]);
        Assert.Null(net.Module.Blocks[0].Shortcut);
        Assert.NotNull(net.Module.Blocks[1].Shortcut);
    }

    [Fact]
    public void Builds_the_smallest_widths_and_runs_forward()
    {
        // 8 x 0.5 = 4, x 0.5 = 2, x 0.5 = 1: one filter in the last stage is still a network.
        using var net = ResidualNetBuilder.Build(Residual(widen: [0.5, 0.5, 0.5]), imageSize: 16);

        Assert.Equal([4, 2, 1], net.Spec.StageWidths);
        net.Module.eval();
        using var logits = net.Module.forward(zeros(2, 1, 16, 16));
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
    }

    [Fact]
    public void A_mid_configuration_trains_a_step_with_every_regulariser_on()
    {
        var configuration = Residual(blocks: [2, 3, 2], branches: [2, 3, 1], widen: [2.0, 1.5, 2.0], initialFilters: 16, shakeShakeAlpha: 0.7, deathRate: 0.5);
        using var net = ResidualNetBuilder.Build(configuration, imageSize: 16);

        Assert.Equal([32, 48, 96], net.Spec.StageWidths);
        Assert.Equal(7, net.Module.Blocks.Count);
        // ShakeDrop's rate grows linearly with depth, to the configured rate at the last block.
        Assert.Equal(0.5 / 7, net.Module.Blocks[0].DeathRate, 12);
        Assert.Equal(0.5, net.Module.Blocks[^1].DeathRate, 12);
        Assert.Equal(3, net.Module.Blocks[2].Branches.Count);
        Assert.Equal(net.Module.parameters().Sum(p => p.numel()), net.Parameters);

        net.Module.train();
        using var scope = NewDisposeScope();
        var loss = net.Module.forward(randn(4, 1, 16, 16)).pow(2).mean();
        loss.backward();
        Assert.All(net.Module.parameters(), p => Assert.True(p.grad is not null && p.grad.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Stage_widths_multiply_the_widening_factors_cumulatively_and_round_half_away_from_zero()
    {
        var spec = ResidualNetSpec.FromConfiguration(Residual(widen: [1.25, 2.0, 0.5], initialFilters: 10));

        // 10 x 1.25 = 12.5 -> 13; x 2 = 25; x 0.5 = 12.5 -> 13.
        Assert.Equal([13, 25, 13], spec.StageWidths);
    }

    [Fact]
    public void At_evaluation_a_multi_branch_block_adds_the_mean_of_its_branches()
    {
        using var net = ResidualNetBuilder.Build(Residual(branches: [3, 3, 3], shakeShakeAlpha: 1.0), imageSize: 16);
        var block = net.Module.Blocks[1];
        net.Module.eval();
        using var scope = NewDisposeScope();
        var x = randn(3, 8, 16, 16);

        var output = block.forward(x);

        var branches = block.Branches.Select(b => b.forward(x)).ToArray();
        var expected = nn.functional.relu(block.Shortcut!.forward(x) + ((branches[0] + branches[1] + branches[2]) / 3));
        Assert.True(output.allclose(expected, rtol: 1e-5, atol: 1e-6));
        // In training the same block shakes: a random convex combination differs from the mean.
        net.Module.train();
        Assert.False(block.forward(x).allclose(nn.functional.relu(block.Shortcut.forward(x) + ((block.Branches[0].forward(x) + block.Branches[1].forward(x) + block.Branches[2].forward(x)) / 3)), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Mixing_with_injected_weights_uses_the_forward_weights_for_the_value_and_the_backward_weights_for_the_gradient()
    {
        using var scope = NewDisposeScope();
        var a = randn(2, 3, 4, 4).requires_grad_();
        var b = randn(2, 3, 4, 4).requires_grad_();
        var equal = full(2, 2, 0.5);

        Assert.True(ShakeRegularization.Mix([a, b], equal).allclose((a + b) / 2));

        var forward = tensor(new float[,] { { 0.9f, 0.1f }, { 0.2f, 0.8f } });
        var backward = tensor(new float[,] { { 0.3f, 0.7f }, { 0.6f, 0.4f } });
        var mixed = ShakeRegularization.Mix([a, b], forward, backward);
        Assert.True(mixed.allclose((a * forward.select(1, 0).view(-1, 1, 1, 1)) + (b * forward.select(1, 1).view(-1, 1, 1, 1)), atol: 1e-6));
        mixed.sum().backward();
        // d(sum)/da for sample i is the backward weight of branch a for that sample, everywhere.
        Assert.True(a.grad!.select(0, 0).eq(0.3f).all().item<bool>());
        Assert.True(a.grad.select(0, 1).eq(0.6f).all().item<bool>());
        Assert.True(b.grad!.select(0, 0).eq(0.7f).all().item<bool>());
    }

    [Fact]
    public void Mixing_weights_are_convex_and_blend_towards_the_mean_as_alpha_falls()
    {
        using var scope = NewDisposeScope();
        var full = ShakeRegularization.MixingWeights(1000, 3, 1.0);
        var half = ShakeRegularization.MixingWeights(1000, 3, 0.5);
        var none = ShakeRegularization.MixingWeights(5, 3, 0.0);

        Assert.True(full.sum(1).allclose(ones(1000), atol: 1e-5));
        Assert.True(full.ge(0).all().item<bool>());
        Assert.True(none.eq(1f / 3).all().item<bool>());
        // Half strength: every weight at least (1 - 0.5) / 3.
        Assert.True(half.ge((0.5f / 3) - 1e-6f).all().item<bool>());
        // Uniform on the simplex: each weight averages 1/3 and the smallest of many falls near 0.
        Assert.InRange(full.mean().item<float>(), 0.33f, 0.34f);
        Assert.InRange(full.min().item<float>(), 0f, 0.01f);
    }

    [Fact]
    public void ShakeDrop_scales_by_the_survival_rate_at_evaluation_and_by_random_factors_in_training()
    {
        using var scope = NewDisposeScope();
        var residual = ones(500, 2, 3, 3).requires_grad_();

        Assert.True(ShakeRegularization.ShakeDrop(residual, 0.4, training: false).allclose(residual * 0.6));

        // Death rate 1: every sample is scaled by a ~ U[-1, 1] forward, and receives b ~ U[0, 1] as its gradient.
        var shaken = ShakeRegularization.ShakeDrop(residual, 1.0, training: true);
        shaken.sum().backward();
        var factors = shaken.select(1, 0).select(1, 0).select(1, 0);
        Assert.InRange(factors.min().item<float>(), -1f, -0.8f);
        Assert.InRange(factors.max().item<float>(), 0.8f, 1f);
        Assert.True(shaken.eq(factors.view(-1, 1, 1, 1)).all().item<bool>());
        Assert.True(residual.grad!.ge(0).all().item<bool>());
        Assert.True(residual.grad.le(1).all().item<bool>());
        // Death rate 0: the residual passes through.
        Assert.True(ShakeRegularization.ShakeDrop(residual, 0.0, training: true).eq(residual).all().item<bool>());
    }

    [Fact]
    public void Cutout_zeroes_one_clipped_square_per_image_across_channels()
    {
        using var scope = NewDisposeScope();
        var images = ones(200, 2, 20, 20);

        var cut = Cutout.Apply(images, 8);

        var zeros = cut.eq(0).sum([2, 3]);
        // The same square in every channel; 8x8 when it lies inside, at least 4x4 when the centre is a corner.
        Assert.True(zeros.select(1, 0).eq(zeros.select(1, 1)).all().item<bool>());
        Assert.InRange(zeros.min().item<long>(), 16L, 64L);
        Assert.Equal(64L, zeros.max().item<long>());
        Assert.True(Cutout.Apply(images, 0).eq(images).all().item<bool>());
        Assert.True(images.eq(1).all().item<bool>());
    }

    [Fact]
    public void An_image_too_small_for_the_downsampling_fails_with_a_clear_reason()
    {
        var error = Assert.Throws<InvalidArchitectureException>(() => ResidualNetBuilder.Build(Residual(), imageSize: 2));

        Assert.Contains("stage 3 downsamples by 2 but receives a 1x1 feature map of a 2x2 image", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 3x3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_whose_width_rounds_to_nothing_fails_with_a_clear_reason()
    {
        var error = Assert.Throws<InvalidArchitectureException>(() => ResidualNetSpec.FromConfiguration(Residual(widen: [0.5, 0.5, 0.1])));

        Assert.Contains("stage 3 would have no filters: initial_filters 8 x 0.5 x 0.5 x 0.1 rounds to 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("momentum", 1.0, "the momentum must lie in [0, 1)")]
    [InlineData("shake_shake_alpha", 1.5, "shake_shake_alpha must lie in [0, 1]")]
    [InlineData("shakedrop_death_rate", -0.1, "shakedrop_death_rate must lie in [0, 1]")]
    [InlineData("cutout_length", -1, "the cutout length must be 0 (off) or positive")]
    [InlineData("blocks_2", 0, "stage 2 needs at least one block")]
    public void Out_of_range_values_are_named(string name, double value, string message)
    {
        var values = Residual().Values.ToDictionary();
        values[name] = ParameterValue.Of(value);

        var error = Assert.Throws<InvalidArchitectureException>(() => ResidualNetSpec.FromConfiguration(new SearchConfiguration(values)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_parameter_is_named()
    {
        var incomplete = new SearchConfiguration(Residual().Values.Where(v => v.Key != "widen_2"));

        var error = Assert.Throws<KeyNotFoundException>(() => ResidualNetSpec.FromConfiguration(incomplete));

        Assert.Contains("widen_2", error.Message, StringComparison.Ordinal);
    }
}

public sealed class ResidualTrainingTests(ITestOutputHelper output)
{
    private static readonly ResidualNetSpec Small = ResidualNetSpec.FromConfiguration(
        ResidualNetTests.Residual(learningRate: 0.1, batchSize: 32, momentum: 0.9, cutoutLength: 4, deathRate: 0.2));

    /// <summary>256 training and 64 validation images of 16x16 pixels whose class is a bright band.</summary>
    private static ImageDataset Synthetic(IdxFiles files)
    {
        files.WriteFashionMnist(train: 320, test: 10);
        return FashionMnist.Load(new FashionMnistOptions { DataDirectory = files.Directory, ImageSize = 16, Seed = 1 });
    }

    [Fact]
    public void The_cosine_schedule_starts_at_the_initial_rate_halves_midway_and_ends_at_zero()
    {
        Assert.Equal(0.1, ResidualTraining.CosineLearningRate(0.1, 0.0), 15);
        Assert.Equal(0.05, ResidualTraining.CosineLearningRate(0.1, 0.5), 15);
        Assert.Equal(0.0, ResidualTraining.CosineLearningRate(0.1, 1.0), 15);
        Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI / 4)), ResidualTraining.CosineLearningRate(0.1, 0.25), 15);
        // Past the end (the last batch of a time budget may start late) the rate stays at zero.
        Assert.Equal(0.0, ResidualTraining.CosineLearningRate(0.1, 1.2), 15);
    }

    [Fact]
    public void Three_epochs_on_synthetic_images_learn_something_and_report_the_counts()
    {
        using var files = new IdxFiles();
        using var data = Synthetic(files);
        var progress = new List<WorkloadProgress>();

        // One epoch is only 8 SGD steps, too few to beat chance reliably; three are enough.
        var result = ResidualTraining.Run(Small, data.Training, data.Validation, TrainingBudget.Epochs(3), new ResidualTrainingOptions { Seed = 7, Progress = progress.Add });
        output.WriteLine($"3 epochs of 256 16x16 synthetic images: {result.TrainingSeconds:F3} s, accuracy {result.ValidationAccuracy:F3}, loss {result.LastLoss:F3}, params {result.Parameters}, MACs {result.MultiplyAccumulates}");

        Assert.Equal(256, data.Training.Count);
        Assert.Equal(24, result.Batches);
        Assert.Equal(768, result.Images);
        Assert.Equal(3.0, result.Epochs);
        Assert.Equal(3890, result.Parameters);
        Assert.True(result.MultiplyAccumulates > 0);
        Assert.True(double.IsFinite(result.LastLoss));
        // Chance is 0.1; the band gives the class away (trial runs reached 0.5 to 0.875).
        Assert.InRange(result.ValidationAccuracy, 0.3, 1.0);
        // The last of 24 batches ran at the cosine's value for 23/24 of the budget.
        Assert.Equal(ResidualTraining.CosineLearningRate(0.1, 23.0 / 24), result.FinalLearningRate, 12);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, progress.Select(p => p.Done));
    }

    [Fact]
    public async Task Shake_Shake_ShakeDrop_and_Cutout_draw_from_the_run_s_own_generator_so_a_seed_reproduces_the_run()
    {
        using var files = new IdxFiles();
        using var data = Synthetic(files);
        // Another thread drawing from libtorch's global generator throughout, as another device's trial would.
        using var stop = new CancellationTokenSource();
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var drawn = TorchSharp.torch.rand(64);
            }
        });

        try
        {
            var budget = TrainingBudget.Epochs(0.5);
            var first = ResidualTraining.Run(Small, data.Training, data.Validation, budget, new ResidualTrainingOptions { Seed = 3 });
            var second = ResidualTraining.Run(Small, data.Training, data.Validation, budget, new ResidualTrainingOptions { Seed = 3 });

            // Bit for bit: the same weights, the same regularisation noise, the same data order.
            Assert.Equal(first.LastLoss, second.LastLoss);
            Assert.Equal(first.ValidationAccuracy, second.ValidationAccuracy);
        }
        finally
        {
            stop.Cancel();
            await noise;
        }
    }

    [RealFashionMnistFact]
    public void Three_epochs_on_256_real_images_beat_chance()
    {
        using var data = FashionMnist.Load(new FashionMnistOptions { TrainingSubset = 256, ValidationSubset = 500, TestSubset = 1, ImageSize = 16, Seed = 1 });

        var result = ResidualTraining.Run(Small, data.Training, data.Validation, TrainingBudget.Epochs(3), new ResidualTrainingOptions { Seed = 3 });
        output.WriteLine($"3 epochs of 256 real 16x16 images: {result.TrainingSeconds:F3} s, accuracy {result.ValidationAccuracy:F3}");

        Assert.True(double.IsFinite(result.LastLoss));
        // Chance is 0.1 (0.013 standard deviation on 500 images); trial runs reached 0.23 to 0.37.
        Assert.InRange(result.ValidationAccuracy, 0.15, 1.0);
    }

    [Fact]
    public void A_budget_of_one_second_anneals_over_the_time_and_stops_at_it()
    {
        using var files = new IdxFiles();
        using var data = Synthetic(files);
        var progress = new List<WorkloadProgress>();

        // Small batches keep the overshoot, at most one batch, short even on a busy machine.
        var result = ResidualTraining.Run(Small with { BatchSize = 8 }, data.Training, data.Validation, TrainingBudget.Seconds(1), new ResidualTrainingOptions { Progress = progress.Add });
        output.WriteLine($"1 s budget: {result.TrainingSeconds:F3} s, {result.Batches} batches ({result.Epochs:F2} epochs), last learning rate {result.FinalLearningRate:G3}");

        Assert.InRange(result.TrainingSeconds, 1.0, 1.5);
        Assert.True(result.Batches > 1);
        // The last batch started late in the budget, so its rate is a small part of the initial 0.1.
        Assert.InRange(result.FinalLearningRate, 0.0, 0.1 * 0.25);
        Assert.All(progress, p => Assert.Equal(1.0, p.Total));
        Assert.InRange(progress[^1].Done, 0.5, 1.0);
        Assert.True(double.IsFinite(result.ValidationAccuracy));
    }

    [Fact]
    public void A_fractional_epoch_budget_trains_part_of_the_last_epoch()
    {
        using var files = new IdxFiles();
        using var data = Synthetic(files);
        var progress = new List<WorkloadProgress>();

        var result = ResidualTraining.Run(Small with { BatchSize = 64 }, data.Training, data.Validation, TrainingBudget.Epochs(1.5), new ResidualTrainingOptions { Progress = progress.Add });

        Assert.Equal(6, result.Batches);
        Assert.Equal(1.5, result.Epochs);
        Assert.Equal(new[] { 1.0, 1.5 }, progress.Select(p => p.Done));
    }

    [Fact]
    public void Budgets_must_be_positive_and_cancellation_is_honoured()
    {
        Assert.Throws<ArgumentException>(() => TrainingBudget.Seconds(0));
        Assert.Throws<ArgumentException>(() => TrainingBudget.Epochs(double.NaN));
        using var files = new IdxFiles();
        using var data = Synthetic(files);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ResidualTraining.Run(Small, data.Training, data.Validation, TrainingBudget.Epochs(1), new ResidualTrainingOptions { Cancellation = cancelled.Token }));
    }
}
