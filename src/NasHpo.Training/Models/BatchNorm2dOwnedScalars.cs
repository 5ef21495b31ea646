using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasHpo.Training.Models;

/// <summary>
/// TorchSharp's <c>nn.BatchNorm2d</c> (the same parameters, buffers and names, so checkpoints keep their format, and
/// the same libtorch call, so the same values), except that counting the batch in <c>num_batches_tracked</c> hands
/// libtorch Scalars that stay alive until it has read them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>BatchNorm.forward</c> counts with <c>num_batches_tracked.add_(1)</c>, whose value and alpha
/// are Scalars made by implicit conversion and never disposed; a garbage collection triggered by another thread
/// during the call may free them while libtorch reads them (see <see cref="ScalarArithmetic"/>). Every batch-norm
/// layer does that on every training batch, so it is the most frequent such call of a training run.
/// </remarks>
internal sealed class BatchNorm2dOwnedScalars : BatchNorm
{
    /// <summary>What <c>nn.BatchNorm2d(features)</c> builds: ε 1e-5, momentum 0.1, affine, tracking running statistics.</summary>
    public BatchNorm2dOwnedScalars(long features)
        : base(features, 1e-5, 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    /// <summary>TorchSharp's <c>BatchNorm.forward</c>, step for step, with the count's Scalars owned and disposed here.</summary>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is { } tracked)
        {
            using var one = 1.ToScalar();
            tracked.add_(one, one);
            averagingFactor = momentum ?? (1.0 / tracked.item<long>());
        }

        var batchStatistics = training || (running_mean is null && running_var is null);
        var useRunning = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? running_mean : null, useRunning ? running_var : null, weight, bias, batchStatistics, averagingFactor, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.ndim != 4)
        {
            throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
        }
    }
}
