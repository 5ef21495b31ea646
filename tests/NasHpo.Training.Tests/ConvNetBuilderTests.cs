using NasHpo.Training.Models;
using static TorchSharp.torch;

namespace NasHpo.Training.Tests;

public sealed class ConvNetBuilderTests
{
    [Fact]
    public void Counts_parameters_and_multiply_accumulates_of_a_small_network_as_by_hand()
    {
        var configuration = Table2.Configuration([(4, 3, true)], [8]);

        using var net = ConvNetBuilder.Build(configuration, imageSize: 16);

        // conv 3x3, 1 -> 4 channels, no bias (batch norm follows): 36; batch norm scale and shift: 8;
        // pooling 16 -> 8, flatten 4*8*8 = 256; fc 256 -> 8: 2048 + 8; output 8 -> 10: 80 + 10.
        Assert.Equal(36 + 8 + 2056 + 90, net.Parameters);
        // conv: 4 filters x 16x16 positions x 9 weights; fc: 2048; output: 80.
        Assert.Equal((4 * 16 * 16 * 9) + 2048 + 80, net.MultiplyAccumulates);
        Assert.Equal(new long[] { 1, 10 }, net.Shapes[^1]);
    }

    [Fact]
    public void Global_average_pooling_and_deeper_networks_count_from_the_module()
    {
        var configuration = Table2.Configuration([(8, 5, false), (16, 3, true), (4, 7, false)], [32, 16], globalAveragePooling: true);

        using var net = ConvNetBuilder.Build(configuration, imageSize: 28);

        long expected = ((8 * 25) + 8) + (16 * 8 * 9) + (2 * 16) + ((4 * 16 * 49) + 4) + ((4 * 32) + 32) + ((32 * 16) + 16) + ((16 * 10) + 10);
        Assert.Equal(expected, net.Parameters);
        // 28 -> conv 28 -> pool 14 -> conv 14 -> pool 7 -> conv 7 -> pool 3 -> global average 1.
        long macs = (8 * 25 * 28 * 28) + (16 * 8 * 9 * 14 * 14) + (4 * 16 * 49 * 7 * 7) + (4 * 32) + (32 * 16) + (16 * 10);
        Assert.Equal(macs, net.MultiplyAccumulates);
        using var logits = net.Module.forward(zeros(5, 1, 28, 28));
        Assert.Equal(new long[] { 5, 10 }, logits.shape);
    }

    [Fact]
    public void Too_many_poolings_for_the_image_fail_with_a_clear_reason()
    {
        var configuration = Table2.Configuration([(4, 3, false), (4, 3, false), (4, 3, false)], [8]);

        var error = Assert.Throws<InvalidArchitectureException>(() => ConvNetBuilder.Build(configuration, imageSize: 4));

        Assert.Contains("max-pooling after conv layer 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 conv layers are too many for a 4x4 image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_padding_a_large_kernel_that_no_longer_fits_fails_with_a_clear_reason()
    {
        var configuration = Table2.Configuration([(4, 7, false), (4, 7, false)], [8]);

        var error = Assert.Throws<InvalidArchitectureException>(() => ConvNetBuilder.Build(configuration, imageSize: 16, padding: ConvPadding.Valid));

        Assert.Contains("conv layer 2 (kernel 7, no padding) does not fit the 5x5 feature map", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_parameter_is_named()
    {
        var configuration = Table2.Configuration([(4, 3, false)], [8]);
        var incomplete = new NasHpo.Core.SearchSpaces.Configuration(configuration.Values.Where(v => v.Key != "units_1"));

        var error = Assert.Throws<KeyNotFoundException>(() => ConvNetBuilder.Build(incomplete, imageSize: 16));

        Assert.Contains("units_1", error.Message, StringComparison.Ordinal);
    }
}
