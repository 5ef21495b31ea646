using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>
/// Measures how long a built network takes to classify one batch: the <c>latency-ms</c> objective. It needs no
/// training, so it is known as soon as the network is built, like the parameter count.
/// </summary>
internal static class InferenceLatency
{
    /// <summary>Images per timed batch unless the workload says otherwise.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Untimed passes first: the first calls allocate buffers and pick kernels, which later calls reuse.</summary>
    public const int WarmUpPasses = 2;

    /// <summary>Timed passes; the median of an odd number is one of them, and ignores a pass another process slowed.</summary>
    public const int TimedPasses = 7;

    /// <summary>
    /// Median milliseconds of one forward pass of a batch of <paramref name="batchSize"/> images of
    /// <paramref name="channels"/> x <paramref name="imageSize"/> x <paramref name="imageSize"/>, in evaluation mode
    /// and without gradients, on the device the module lives on. The module is left in evaluation mode; its weights,
    /// buffers and libtorch's random generator are untouched (evaluation mode draws nothing and updates no statistics).
    /// </summary>
    public static double MedianMilliseconds(nn.Module<Tensor, Tensor> module, int channels, int imageSize, Device device, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // A constant input: the values do not change the work a convolution does, and no generator is drawn from.
        // Its Scalar is disposed after the call, not left to a garbage collection another thread may trigger mid-call.
        using var half = 0.5f.ToScalar();
        var input = full(new long[] { batchSize, channels, imageSize, imageSize }, half, device: device);
        var times = new double[TimedPasses];
        for (var pass = -WarmUpPasses; pass < TimedPasses; pass++)
        {
            using var passScope = NewDisposeScope();
            var stopwatch = Stopwatch.StartNew();
            // Copying the logits to the CPU waits for an asynchronous (CUDA) device to finish the pass.
            module.forward(input).cpu();
            if (pass >= 0)
            {
                times[pass] = stopwatch.Elapsed.TotalMilliseconds;
            }
        }

        Array.Sort(times);
        return times[TimedPasses / 2];
    }
}
