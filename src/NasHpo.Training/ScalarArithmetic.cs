using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>
/// Tensor arithmetic with numbers (and the tensor sum) through TorchSharp overloads that take every
/// <see cref="Scalar"/> as an argument, each Scalar made here and disposed only after the libtorch call that reads it
/// has returned. The results are those of TorchSharp's operators bit for bit: the same libtorch operation with a
/// Scalar of the same type and value.
/// </summary>
/// <remarks>
/// TorchSharp's operators and short overloads turn numbers into Scalars by implicit conversion and never dispose them
/// (<c>t * 0.5</c>, <c>t - 1</c>, and also <c>a + b</c> of two tensors, whose <c>add(Tensor)</c> makes an alpha of 1
/// the same way). Once the native call has a Scalar's pointer nothing managed refers to the Scalar, so a garbage
/// collection triggered by another thread (another device's trial allocating) may finalize it while libtorch is
/// still reading it: "Expected false to be true" from Scalar::toFloat, "Unknown scalar type", or silently another
/// value (see <see cref="OptimizerSteps"/>). A <c>using</c> local stays reachable until its disposal, after the call.
/// </remarks>
internal static class ScalarArithmetic
{
    /// <summary><c>left + right</c>, with the alpha of 1 that <c>add(Tensor)</c> would make out of reach.</summary>
    public static Tensor Plus(this Tensor left, Tensor right)
    {
        using var one = 1.ToScalar();
        return left.add(right, one);
    }

    /// <summary><c>left + value</c> (an integer Scalar, as TorchSharp's operator makes of an int).</summary>
    public static Tensor Plus(this Tensor left, int value)
    {
        using var scalar = value.ToScalar();
        using var one = 1.ToScalar();
        return left.add(scalar, one);
    }

    /// <summary><c>left - value</c> (an integer Scalar, as TorchSharp's operator makes of an int).</summary>
    public static Tensor Minus(this Tensor left, int value)
    {
        using var scalar = value.ToScalar();
        return left.sub(scalar);
    }

    /// <summary><c>left * value</c>.</summary>
    public static Tensor Times(this Tensor left, double value)
    {
        using var scalar = value.ToScalar();
        return left.mul(scalar);
    }

    /// <summary><c>left * value</c> with a single-precision Scalar, as TorchSharp's operator makes of a float.</summary>
    public static Tensor Times(this Tensor left, float value)
    {
        using var scalar = value.ToScalar();
        return left.mul(scalar);
    }

    /// <summary><c>left / value</c>.</summary>
    public static Tensor DividedBy(this Tensor left, double value)
    {
        using var scalar = value.ToScalar();
        return left.div(scalar);
    }
}
