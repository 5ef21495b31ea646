using TorchSharp;

namespace NasHpo.Training.Tests;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void The_native_library_loads_and_computes()
    {
        // On Debian 12 this fails unless the build patched libLibTorchSharp.so (see build/TorchSharpDebianFix.targets).
        using var ones = torch.ones(2, 2, device: torch.CPU);
        using var sum = ones.sum();
        Assert.Equal(4.0f, sum.item<float>());
    }
}
