using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Data;

/// <summary>
/// Cutout (DeVries and Taylor, 2017): zero a square of side <c>length</c> at a random place of every image. The
/// square's centre is uniform over the image and the square is clipped at the border, so near the edges less than
/// length x length pixels are zeroed, as in the original; on standardised images zero is the mean pixel.
/// </summary>
internal static class Cutout
{
    /// <summary>
    /// A new batch [N, C, H, W] with one square cut out of each image (all channels); length 0 returns a copy. The
    /// places come from <paramref name="generator"/> when one is given (training passes its own, so that other
    /// threads' draws cannot change them).
    /// </summary>
    public static Tensor Apply(Tensor images, int length, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"cutout needs a batch [N, C, H, W], not a tensor of shape [{string.Join(", ", images.shape)}]");
        }

        if (length == 0)
        {
            return images.clone();
        }

        using var scope = NewDisposeScope();
        var (n, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        var device = images.device;
        // The square covers [centre - length/2, centre - length/2 + length) on each axis. This runs on every training
        // batch, so each number libtorch reads is a Scalar kept alive until the call returns (ScalarArithmetic).
        var top = Centres(height, n, device, generator).Minus(length / 2);
        var left = Centres(width, n, device, generator).Minus(length / 2);
        var rows = Positions(height, device).unsqueeze(0);
        var columns = Positions(width, device).unsqueeze(0);
        var inRows = rows.ge(top).logical_and(rows.lt(top.Plus(length)));
        var inColumns = columns.ge(left).logical_and(columns.lt(left.Plus(length)));
        var mask = inRows.unsqueeze(2).logical_and(inColumns.unsqueeze(1)).unsqueeze(1);
        using var zero = 0.ToScalar();
        return images.masked_fill(mask, zero).MoveToOuterDisposeScope();
    }

    /// <summary>0, 1, ..., size - 1 as longs: <c>arange(size)</c>, whose start and step TorchSharp makes out of reach.</summary>
    private static Tensor Positions(long size, Device device)
    {
        using var start = 0.ToScalar();
        using var stop = size.ToScalar();
        using var step = 1.ToScalar();
        return arange(start, stop, step, device: device);
    }

    /// <summary>One centre coordinate per image, from <paramref name="generator"/> (on the CPU) when given, else from libtorch's global generator.</summary>
    private static Tensor Centres(long size, long n, Device device, Generator? generator) =>
        generator is null
            ? randint(0, size, [n, 1], device: device)
            : randint(0, size, [n, 1], generator: generator).to(device);
}
