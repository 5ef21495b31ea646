using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Models;

/// <summary>
/// Initial weights as a function of a seed alone. TorchSharp's layer constructors draw from libtorch's one global
/// generator, which every thread of the process shares: two devices building networks at the same time (or any other
/// code drawing random numbers meanwhile) interleave their draws, and a trial's initial weights then depend on timing.
/// Seeding the global generator under a lock only helps while every user of it takes the same lock. Instead, after a
/// network is built, this overwrites every convolution and linear layer from a private generator with PyTorch's own
/// default distribution, so the draws of other threads cannot reach it. Batch-norm layers start deterministic
/// (weight 1, bias 0, statistics 0 and 1) and are left alone.
/// </summary>
internal static class SeededInitialization
{
    /// <summary>
    /// Weights and biases uniform on ±1/√fan_in, which is what PyTorch's <c>reset_parameters</c> gives convolutions
    /// and linear layers (Kaiming-uniform with a = √5 for the weights, and the same bound for the biases).
    /// Layers are visited in module order, so the same architecture and seed always give the same tensors.
    /// </summary>
    public static void Apply(nn.Module module, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(module);
        // The generator lives on the CPU (a CUDA generator exists only on GPU builds); values are drawn there and
        // copied to wherever the parameter lives.
        using var generator = new Generator(seed, CPU);
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case TorchSharp.Modules.Conv2d conv:
                    Fill(conv.weight!, conv.bias, generator);
                    break;
                case TorchSharp.Modules.Linear linear:
                    Fill(linear.weight!, linear.bias, generator);
                    break;
            }
        }
    }

    private static void Fill(Tensor weight, Tensor? bias, Generator generator)
    {
        // Fan-in: input channels (or features) times the kernel's area.
        var fanIn = weight.shape.Skip(1).Aggregate(1L, (product, size) => product * size);
        var bound = 1.0 / Math.Sqrt(fanIn);
        Draw(weight, bound, generator);
        if (bias is not null)
        {
            Draw(bias, bound, generator);
        }
    }

    private static void Draw(Tensor parameter, double bound, Generator generator)
    {
        using var values = empty(parameter.shape, dtype: parameter.dtype).uniform_(-bound, bound, generator);
        parameter.copy_(values);
    }
}
