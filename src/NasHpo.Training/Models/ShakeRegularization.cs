using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Models;

/// <summary>
/// The two stochastic regularisers of the residual network, Shake-Shake (Gastaldi, 2017) for combining parallel
/// branches and ShakeDrop (Yamada et al., 2018) for scaling a block's residual. Both shake the backward pass with
/// weights drawn independently of the forward pass, as the papers do. TorchSharp needs no custom autograd function
/// for that: <c>g * b + ((f - g) * b).detach()</c> has the value <c>f * b</c> but the gradient <c>g</c> with respect
/// to <c>b</c>, because the detached term is a constant to autograd.
/// </summary>
internal static class ShakeRegularization
{
    /// <summary>
    /// Per-sample branch weights [samples, branches], each row convex (non-negative, summing to 1):
    /// <c>(1 - strength) / branches + strength * r</c> with <c>r</c> uniform on the simplex. Strength 0 gives the
    /// plain mean (no shaking), 1 the full Shake-Shake draw; either way the expected weight is 1 / branches, which
    /// is what evaluation uses.
    /// </summary>
    public static Tensor MixingWeights(long samples, int branches, double strength, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(branches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        using var scope = NewDisposeScope();
        // Drawn for every block on every training batch: each number libtorch reads is a Scalar kept alive until the
        // call returns (ScalarArithmetic has why).
        using var mean = (1.0 / branches).ToScalar();
        var uniform = full(samples, branches, mean, dtype: dtype, device: device);
        if (strength <= 0 || branches == 1)
        {
            return uniform.MoveToOuterDisposeScope();
        }

        // Normalised standard exponentials are Dirichlet(1, ..., 1), the uniform distribution on the simplex.
        // 1 - U lies in (0, 1], so its logarithm is finite; the floor keeps a row that is all zeros (never seen in
        // practice) from dividing by zero.
        using var one = 1.ToScalar();
        using var floor = 1e-12.ToScalar();
        var exponential = Uniform([samples, branches], dtype, device, generator).neg_().add_(one, one).log_().neg_().clamp_min_(floor);
        var random = exponential / exponential.sum(1, keepdim: true);
        return uniform.Times(1 - strength).Plus(random.Times(strength)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sums the branch outputs [N, C, H, W] with per-sample weights [N, branches]: the value uses
    /// <paramref name="forwardWeights"/>, the gradient that reaches each branch <paramref name="backwardWeights"/>
    /// (the same weights when it is null).
    /// </summary>
    public static Tensor Mix(IReadOnlyList<Tensor> branchOutputs, Tensor forwardWeights, Tensor? backwardWeights = null)
    {
        ArgumentNullException.ThrowIfNull(branchOutputs);
        ArgumentNullException.ThrowIfNull(forwardWeights);
        if (branchOutputs.Count == 0 || forwardWeights.shape.Length != 2 || forwardWeights.shape[1] != branchOutputs.Count)
        {
            throw new ArgumentException($"{branchOutputs.Count} branch outputs need weights of shape [N, {branchOutputs.Count}], not [{string.Join(", ", forwardWeights.shape)}]");
        }

        using var scope = NewDisposeScope();
        Tensor result;
        if (backwardWeights is null)
        {
            result = Weighted(branchOutputs, forwardWeights, detach: false);
        }
        else
        {
            using (no_grad())
            {
                // The correction (forward - backward) * b is built from detached outputs, so autograd sees a constant.
                result = Weighted(branchOutputs, forwardWeights - backwardWeights, detach: true);
            }

            result = Weighted(branchOutputs, backwardWeights, detach: false).Plus(result);
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ShakeDrop on a residual [N, C, H, W]. Training: each sample's residual dies with probability
    /// <paramref name="deathRate"/>; a dead one is scaled by a ~ U[-1, 1] forward and by b ~ U[0, 1] backward, a
    /// live one passes unchanged. Evaluation: scaled by the expected forward factor, 1 - deathRate (E[a] = 0), as
    /// the ShakeDrop paper does, so that the next layers see at evaluation the mean of what they saw in training.
    /// </summary>
    public static Tensor ShakeDrop(Tensor residual, double deathRate, bool training, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(residual);
        if (deathRate <= 0)
        {
            return residual;
        }

        if (!training)
        {
            return residual.Times(1 - deathRate);
        }

        using var scope = NewDisposeScope();
        var n = residual.shape[0];
        var shape = new long[] { n, 1, 1, 1 };
        // Every block on every training batch: each number libtorch reads is a Scalar kept alive until the call
        // returns (ScalarArithmetic has why).
        using var rate = deathRate.ToScalar();
        using var two = 2.ToScalar();
        using var one = 1.ToScalar();
        var dead = Uniform([n], residual.dtype, residual.device, generator).lt(rate).to_type(residual.dtype);
        var forwardFactor = Uniform([n], residual.dtype, residual.device, generator).mul_(two).sub_(one);
        var backwardFactor = Uniform([n], residual.dtype, residual.device, generator);
        // Alive: 1; dead: the random factor. 1 + dead * (factor - 1) writes both at once.
        var forwardScale = (dead * forwardFactor.Minus(1)).Plus(1).view(shape);
        var backwardScale = (dead * backwardFactor.Minus(1)).Plus(1).view(shape);
        Tensor correction;
        using (no_grad())
        {
            correction = residual.detach() * (forwardScale - backwardScale);
        }

        return (residual * backwardScale).Plus(correction).MoveToOuterDisposeScope();
    }

    private static Tensor Weighted(IReadOnlyList<Tensor> branchOutputs, Tensor weights, bool detach)
    {
        Tensor? sum = null;
        for (var i = 0; i < branchOutputs.Count; i++)
        {
            var output = detach ? branchOutputs[i].detach() : branchOutputs[i];
            var term = output * weights.select(1, i).view(-1, 1, 1, 1);
            sum = sum is null ? term : sum.Plus(term);
        }

        return sum!;
    }

    /// <summary>
    /// U[0, 1) draws: from <paramref name="generator"/> (a CPU generator, the values then moved to the device) when
    /// one is given, else from libtorch's global generator on the device itself.
    /// </summary>
    internal static Tensor Uniform(long[] shape, ScalarType dtype, Device? device, Generator? generator)
    {
        if (generator is null)
        {
            return rand(shape, dtype: dtype, device: device);
        }

        var values = rand(shape, dtype: dtype, generator: generator);
        return device is null || device.type == DeviceType.CPU ? values : values.to(device);
    }
}
