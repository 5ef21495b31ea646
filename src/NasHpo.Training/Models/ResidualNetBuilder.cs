using NasHpo.Core.SearchSpaces;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasHpo.Training.Models;

/// <summary>
/// One residual block: <see cref="Branches"/> parallel branches (conv3x3-BN-ReLU-conv3x3-BN, the first convolution
/// carrying the block's stride) combined Shake-Shake style, the combination scaled by ShakeDrop, added to the
/// shortcut, then ReLU (the post-activation form of the original ResNet).
/// </summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential[] _branches;
    private readonly TorchSharp.Modules.Sequential? _shortcut;

    internal ResidualBlock(string name, long inChannels, long outChannels, long stride, int branches, double shakeShakeAlpha, double deathRate)
        : base(name)
    {
        ShakeShakeAlpha = shakeShakeAlpha;
        DeathRate = deathRate;
        _branches = new TorchSharp.Modules.Sequential[branches];
        for (var i = 0; i < branches; i++)
        {
            // No bias before batch norm: its mean subtraction cancels one, and a dead parameter would be counted.
            _branches[i] = Sequential(
                ("conv1", Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false)),
                ("bn1", new BatchNorm2dOwnedScalars(outChannels)),
                ("relu", ReLU()),
                ("conv2", Conv2d(outChannels, outChannels, 3, padding: 1, bias: false)),
                ("bn2", new BatchNorm2dOwnedScalars(outChannels)));
            register_module($"branch{i + 1}", _branches[i]);
        }

        if (stride != 1 || inChannels != outChannels)
        {
            // The identity cannot be added when the resolution or the width changes: a strided 1x1 convolution
            // (with batch norm, as the branches end in one) projects the input instead.
            _shortcut = Sequential(
                ("conv", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("bn", new BatchNorm2dOwnedScalars(outChannels)));
            register_module("shortcut", _shortcut);
        }
    }

    public IReadOnlyList<TorchSharp.Modules.Sequential> Branches => _branches;

    /// <summary>The projection shortcut, or null where the block adds its input unchanged.</summary>
    public TorchSharp.Modules.Sequential? Shortcut => _shortcut;

    public double ShakeShakeAlpha { get; }

    /// <summary>This block's ShakeDrop death rate: the network's rate scaled by the block's depth.</summary>
    public double DeathRate { get; }

    /// <summary>Where the training-time draws come from; null for libtorch's global generator.</summary>
    internal Generator? Noise { get; set; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = _branches.Select(b => b.forward(input)).ToArray();
        Tensor residual;
        if (outputs.Length == 1)
        {
            residual = outputs[0];
        }
        else if (training && ShakeShakeAlpha > 0)
        {
            var n = input.shape[0];
            var forwardWeights = ShakeRegularization.MixingWeights(n, outputs.Length, ShakeShakeAlpha, input.device, input.dtype, Noise);
            var backwardWeights = ShakeRegularization.MixingWeights(n, outputs.Length, ShakeShakeAlpha, input.device, input.dtype, Noise);
            residual = ShakeRegularization.Mix(outputs, forwardWeights, backwardWeights);
        }
        else
        {
            // Evaluation (and strength 0): the expected Shake-Shake combination, the mean of the branches.
            residual = stack(outputs).mean([0]);
        }

        residual = ShakeRegularization.ShakeDrop(residual, DeathRate, training, Noise);
        var shortcut = _shortcut is null ? input : _shortcut.forward(input);
        // Not shortcut + residual: TorchSharp's add(Tensor) makes an alpha Scalar the garbage collector may free
        // while libtorch reads it (ScalarArithmetic).
        return functional.relu(shortcut.Plus(residual)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var branch in _branches)
            {
                branch.Dispose();
            }

            _shortcut?.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Stem (conv3x3-BN-ReLU), three stages of residual blocks, global average pooling, a linear classifier.</summary>
internal sealed class ResidualNetwork : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential _stem;
    private readonly ResidualBlock[] _blocks;
    private readonly TorchSharp.Modules.Linear _classifier;

    internal ResidualNetwork(TorchSharp.Modules.Sequential stem, ResidualBlock[] blocks, TorchSharp.Modules.Linear classifier)
        : base("residual_net")
    {
        _stem = stem;
        _blocks = blocks;
        _classifier = classifier;
        register_module("stem", _stem);
        foreach (var block in _blocks)
        {
            register_module(block.GetName(), block);
        }

        register_module("classifier", _classifier);
    }

    public TorchSharp.Modules.Sequential Stem => _stem;

    /// <summary>All residual blocks, stage after stage.</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;

    public TorchSharp.Modules.Linear Classifier => _classifier;

    /// <summary>
    /// Makes the blocks' Shake-Shake and ShakeDrop draws come from <paramref name="generator"/> (a CPU generator)
    /// until the returned handle is disposed; without one they draw from libtorch's global generator.
    /// </summary>
    public IDisposable UseNoise(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        foreach (var block in _blocks)
        {
            block.Noise = generator;
        }

        return new NoiseRelease(_blocks);
    }

    private sealed class NoiseRelease(ResidualBlock[] blocks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var block in blocks)
            {
                block.Noise = null;
            }
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _stem.forward(input);
        foreach (var block in _blocks)
        {
            x = block.forward(x);
        }

        return _classifier.forward(x.mean([2, 3])).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stem.Dispose();
            foreach (var block in _blocks)
            {
                block.Dispose();
            }

            _classifier.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A residual network built from a configuration, with its cost measured on the instantiated module.</summary>
internal sealed class ResidualNet : IDisposable
{
    internal ResidualNet(ResidualNetwork module, ResidualNetSpec spec, long parameters, long multiplyAccumulates, IReadOnlyList<long[]> shapes)
    {
        Module = module;
        Spec = spec;
        Parameters = parameters;
        MultiplyAccumulates = multiplyAccumulates;
        Shapes = shapes;
    }

    public ResidualNetwork Module { get; }

    public ResidualNetSpec Spec { get; }

    /// <summary>Trainable values: the sum of numel over the module's parameters (batch-norm running statistics are buffers, not counted).</summary>
    public long Parameters { get; }

    /// <summary>Multiply-accumulates of one forward pass of one image through every convolution (all branches, shortcuts) and the classifier.</summary>
    public long MultiplyAccumulates { get; }

    /// <summary>For one image: the stem's output shape, each block's, then the logits' — what the MAC count was computed from.</summary>
    public IReadOnlyList<long[]> Shapes { get; }

    public void Dispose() => Module.Dispose();
}

/// <summary>
/// Builds the multi-branch residual network of hocon/spaces/bohb-resnet-000.conf: a conv3x3 stem of
/// initial_filters, three stages (strides 1, 2, 2) of blocks_s blocks of branches_s branches with
/// round(initial_filters x widen_1 x ... x widen_s) filters, global average pooling, a linear classifier.
/// </summary>
internal static class ResidualNetBuilder
{
    private static readonly int[] StageStrides = [1, 2, 2];

    public static ResidualNet Build(Core.SearchSpaces.Configuration configuration, int imageSize, int channels = 1, int classes = 10, Device? device = null) =>
        Build(ResidualNetSpec.FromConfiguration(configuration), imageSize, channels, classes, device);

    public static ResidualNet Build(ResidualNetSpec spec, int imageSize, int channels = 1, int classes = 10, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        CheckFeatureMaps(imageSize);
        if (channels < 1 || classes < 1)
        {
            throw new InvalidArchitectureException($"the network needs at least one input channel and one class, not {channels} and {classes}");
        }

        var widths = spec.StageWidths;
        var stem = Sequential(
            ("conv", Conv2d(channels, spec.InitialFilters, 3, padding: 1, bias: false)),
            ("bn", new BatchNorm2dOwnedScalars(spec.InitialFilters)),
            ("relu", ReLU()));
        var blocks = new List<ResidualBlock>();
        var inChannels = (long)spec.InitialFilters;
        var depth = 0;
        for (var s = 0; s < spec.Stages.Count; s++)
        {
            var stage = spec.Stages[s];
            for (var b = 0; b < stage.Blocks; b++)
            {
                depth++;
                // ShakeDrop's linear decay rule: the deeper the block, the likelier its residual is shaken; the
                // last block gets the configured rate.
                var deathRate = spec.ShakeDropDeathRate * depth / spec.TotalBlocks;
                blocks.Add(new ResidualBlock(
                    $"stage{s + 1}_block{b + 1}",
                    inChannels,
                    widths[s],
                    b == 0 ? StageStrides[s] : 1,
                    stage.Branches,
                    spec.ShakeShakeAlpha,
                    deathRate));
                inChannels = widths[s];
            }
        }

        var module = new ResidualNetwork(stem, [.. blocks], Linear(inChannels, classes));
        try
        {
            var parameters = module.parameters().Sum(p => p.numel());
            var (macs, shapes) = Measure(module, channels, imageSize);
            if (device is not null)
            {
                module.to(device);
            }

            return new ResidualNet(module, spec, parameters, macs, shapes);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A 3x3 convolution of stride 2 with padding 1 maps a side s to ceil(s / 2), so the map never vanishes; but a
    /// downsampling stage that receives a 1x1 map has nothing left to downsample, and its 3x3 kernels see only
    /// padding. Stage 3 receives ceil(imageSize / 2), hence the lower bound of 3 pixels.
    /// </summary>
    private static void CheckFeatureMaps(int imageSize)
    {
        if (imageSize < 1)
        {
            throw new InvalidArchitectureException($"the image size must be at least 1 pixel, not {imageSize}");
        }

        var side = imageSize;
        for (var s = 0; s < StageStrides.Length; s++)
        {
            if (side < StageStrides[s])
            {
                throw new InvalidArchitectureException(
                    $"stage {s + 1} downsamples by {StageStrides[s]} but receives a {side}x{side} feature map of a {imageSize}x{imageSize} image: " +
                    "the residual network needs images of at least 3x3 pixels");
            }

            side = (side + StageStrides[s] - 1) / StageStrides[s];
        }
    }

    /// <summary>
    /// Runs one zero image through the network in evaluation mode and counts the multiply-accumulates of every
    /// convolution (weight elements x output positions: all branches and projection shortcuts) and of the classifier
    /// (weight elements), from the shapes libtorch produces. Batch norm, ReLU, the branch combination, ShakeDrop's
    /// scaling, the residual addition and the pooling are not multiply-accumulates of a layer, as usual.
    /// </summary>
    private static (long Macs, IReadOnlyList<long[]> Shapes) Measure(ResidualNetwork module, int channels, int imageSize)
    {
        var wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            long macs = 0;
            var shapes = new List<long[]>();
            var x = Walk(module.Stem, zeros(1, channels, imageSize, imageSize), ref macs);
            shapes.Add(x.shape);
            foreach (var block in module.Blocks)
            {
                foreach (var branch in block.Branches)
                {
                    Walk(branch, x, ref macs);
                }

                if (block.Shortcut is not null)
                {
                    Walk(block.Shortcut, x, ref macs);
                }

                x = block.forward(x);
                shapes.Add(x.shape);
            }

            var logits = module.Classifier.forward(x.mean([2, 3]));
            macs += module.Classifier.weight!.numel();
            shapes.Add(logits.shape);
            return (macs, shapes);
        }
        finally
        {
            module.train(wasTraining);
        }
    }

    private static Tensor Walk(TorchSharp.Modules.Sequential sequential, Tensor x, ref long macs)
    {
        foreach (var child in sequential.children())
        {
            x = ((Module<Tensor, Tensor>)child).forward(x);
            if (child is TorchSharp.Modules.Conv2d conv)
            {
                macs += conv.weight!.numel() * x.shape[2] * x.shape[3];
            }
        }

        return x;
    }
}
