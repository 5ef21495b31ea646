using NasHpo.Core.SearchSpaces;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasHpo.Training.Models;

/// <summary>How convolutions treat the border.</summary>
internal enum ConvPadding
{
    /// <summary>Pad by kernel / 2, so only the poolings shrink the feature map (the default).</summary>
    Same,

    /// <summary>No padding: each convolution also trims kernel - 1 pixels.</summary>
    Valid,
}

/// <summary>A network built from a configuration, with its cost measured on the instantiated module.</summary>
internal sealed class ConvNet : IDisposable
{
    internal ConvNet(TorchSharp.Modules.Sequential module, ConvNetSpec spec, long parameters, long multiplyAccumulates, IReadOnlyList<long[]> shapes)
    {
        Module = module;
        Spec = spec;
        Parameters = parameters;
        MultiplyAccumulates = multiplyAccumulates;
        Shapes = shapes;
    }

    public TorchSharp.Modules.Sequential Module { get; }

    public ConvNetSpec Spec { get; }

    /// <summary>Trainable values: the sum of numel over the module's parameters (batch-norm running statistics are buffers, not counted).</summary>
    public long Parameters { get; }

    /// <summary>Multiply-accumulates of one forward pass of one image through the convolutions and linear layers.</summary>
    public long MultiplyAccumulates { get; }

    /// <summary>The output shape of every layer for one image, in order: what the MAC count was computed from.</summary>
    public IReadOnlyList<long[]> Shapes { get; }

    public void Dispose() => Module.Dispose();
}

/// <summary>
/// Builds the Table 2 network: 1-3 blocks of convolution (optional batch norm), ReLU and 2x2 max-pooling; then
/// global average pooling or flattening; 1-3 fully connected layers with ReLU; a linear output layer.
/// </summary>
internal static class ConvNetBuilder
{
    public static ConvNet Build(Core.SearchSpaces.Configuration configuration, int imageSize, int channels = 1, int classes = 10, Device? device = null, ConvPadding padding = ConvPadding.Same) =>
        Build(ConvNetSpec.FromConfiguration(configuration), imageSize, channels, classes, device, padding);

    public static ConvNet Build(ConvNetSpec spec, int imageSize, int channels = 1, int classes = 10, Device? device = null, ConvPadding padding = ConvPadding.Same)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        CheckFeatureMaps(spec, imageSize, padding);

        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var inChannels = (long)channels;
        for (var i = 0; i < spec.ConvLayers.Count; i++)
        {
            var layer = spec.ConvLayers[i];
            var pad = padding == ConvPadding.Same ? layer.Kernel / 2 : 0;
            // A bias before batch norm is cancelled by its mean subtraction: leave it out rather than count dead parameters.
            layers.Add(($"conv{i + 1}", Conv2d(inChannels, layer.Filters, layer.Kernel, padding: pad, bias: !layer.BatchNorm)));
            if (layer.BatchNorm)
            {
                layers.Add(($"bn{i + 1}", new BatchNorm2dOwnedScalars(layer.Filters)));
            }

            layers.Add(($"relu{i + 1}", ReLU()));
            layers.Add(($"pool{i + 1}", MaxPool2d(2)));
            inChannels = layer.Filters;
        }

        long features;
        if (spec.GlobalAveragePooling)
        {
            layers.Add(("gap", AdaptiveAvgPool2d(1)));
            features = inChannels;
        }
        else
        {
            var side = FinalSide(spec, imageSize, padding);
            features = inChannels * side * side;
        }

        layers.Add(("flatten", Flatten()));
        for (var i = 0; i < spec.FullyConnectedUnits.Count; i++)
        {
            layers.Add(($"fc{i + 1}", Linear(features, spec.FullyConnectedUnits[i])));
            layers.Add(($"fc_relu{i + 1}", ReLU()));
            features = spec.FullyConnectedUnits[i];
        }

        layers.Add(("output", Linear(features, classes)));
        var module = Sequential(layers);
        try
        {
            var parameters = module.parameters().Sum(p => p.numel());
            var (macs, shapes) = Measure(module, channels, imageSize);
            if (device is not null)
            {
                module.to(device);
            }

            return new ConvNet(module, spec, parameters, macs, shapes);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fails before any module exists when a convolution or pooling would leave less than one pixel, naming the
    /// layer and the sizes, so the trial's recorded reason explains itself.
    /// </summary>
    private static void CheckFeatureMaps(ConvNetSpec spec, int imageSize, ConvPadding padding)
    {
        if (imageSize < 1)
        {
            throw new InvalidArchitectureException($"the image size must be at least 1 pixel, not {imageSize}");
        }

        var side = imageSize;
        for (var i = 0; i < spec.ConvLayers.Count; i++)
        {
            var kernel = spec.ConvLayers[i].Kernel;
            var afterConv = padding == ConvPadding.Same ? side : side - kernel + 1;
            if (afterConv < 1)
            {
                throw new InvalidArchitectureException(
                    $"conv layer {i + 1} (kernel {kernel}, no padding) does not fit the {side}x{side} feature map left of a {imageSize}x{imageSize} image");
            }

            if (afterConv / 2 < 1)
            {
                throw new InvalidArchitectureException(
                    $"the max-pooling after conv layer {i + 1} would shrink its {afterConv}x{afterConv} feature map to nothing: " +
                    $"{spec.ConvLayers.Count} conv layers are too many for a {imageSize}x{imageSize} image");
            }

            side = afterConv / 2;
        }
    }

    private static long FinalSide(ConvNetSpec spec, int imageSize, ConvPadding padding) =>
        spec.ConvLayers.Aggregate((long)imageSize, (side, layer) => (padding == ConvPadding.Same ? side : side - layer.Kernel + 1) / 2);

    /// <summary>
    /// Runs one zero image through the layers one by one and counts the multiply-accumulates of every convolution
    /// (weight elements x output positions) and linear layer (weight elements), from the shapes libtorch produces.
    /// Bias additions, batch norm, ReLU and pooling are not multiply-accumulates and are left out, as usual.
    /// </summary>
    private static (long Macs, IReadOnlyList<long[]> Shapes) Measure(TorchSharp.Modules.Sequential module, int channels, int imageSize)
    {
        var wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var x = zeros(1, channels, imageSize, imageSize);
            long macs = 0;
            var shapes = new List<long[]>();
            foreach (var child in module.children())
            {
                var layer = (Module<Tensor, Tensor>)child;
                x = layer.forward(x);
                shapes.Add(x.shape);
                switch (child)
                {
                    case TorchSharp.Modules.Conv2d conv:
                        macs += conv.weight!.numel() * x.shape[2] * x.shape[3];
                        break;
                    case TorchSharp.Modules.Linear linear:
                        macs += linear.weight!.numel();
                        break;
                }
            }

            return (macs, shapes);
        }
        finally
        {
            module.train(wasTraining);
        }
    }
}
