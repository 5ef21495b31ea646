using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Models;

/// <summary>
/// Model surgery for BULK &amp; CUT: fills a freshly built child <see cref="ConvNet"/> with weights derived from its
/// trained parent by one <see cref="Morphism"/>, so that the child starts where the parent stands instead of from
/// random weights.
/// </summary>
/// <remarks>
/// <para><b>Wider</b> (Net2WiderNet, Chen et al. 2015): the child's extra filters or units copy randomly chosen
/// existing ones (incoming weights, bias and batch-norm parameters and statistics), and each copied unit's outgoing
/// weights are split between its copies. The split uses random positive shares that sum to one rather than equal
/// halves, so the function is preserved exactly while the copies receive different gradients and can part ways.</para>
/// <para><b>Deeper</b> (Net2DeeperNet): a fully connected layer added behind the last one starts as the identity
/// (ReLU of the previous ReLU's output changes nothing): exactly function-preserving. A convolutional layer added
/// behind the last one starts as the identity convolution, but in the Table 2 network every convolution is followed by
/// a 2x2 max-pooling that no identity undoes, so that morphism is only approximate: with global average pooling the
/// first fully connected layer keeps its weights; with flattening each of its weights for a 2x2 block of the parent's
/// feature map is summed into the one weight for the pooled pixel (exact where the map is constant over the block).</para>
/// <para><b>Prune</b>: the filters or units with the largest L1 norm of incoming weights stay, with their batch-norm
/// entries and the next layer's matching inputs; the child is meant to be trained by distillation from its parent
/// (<see cref="Distillation"/>).</para>
/// Layers are named as <see cref="ConvNetBuilder"/> names them (conv{i}, bn{i}, fc{i}, output).
/// </remarks>
internal static class NetworkMorphism
{
    /// <summary>
    /// Overwrites every parameter and buffer of <paramref name="child"/> with values derived from
    /// <paramref name="parent"/> by <paramref name="morphism"/>; <paramref name="seed"/> fixes which units a widening
    /// copies and how their outgoing weights are split.
    /// </summary>
    /// <exception cref="InvalidArchitectureException">The child is not what the morphism makes of the parent.</exception>
    public static void Inherit(ConvNet parent, ConvNet child, Morphism morphism, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(morphism);
        var plan = Plan(parent.Spec, child.Spec, morphism, seed);
        var source = Tensors(parent.Module);
        var target = Tensors(child.Module);
        var written = new HashSet<string>(StringComparer.Ordinal);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var conv = parent.Spec.ConvLayers.Count;
        var fc = parent.Spec.FullyConnectedUnits.Count;
        if (plan.PruneLayer is { } pruned)
        {
            // Structured pruning by magnitude: the units whose incoming weights have the largest L1 norm stay, in order.
            var maps = pruned.Convolutional ? plan.Conv : plan.Fc;
            var incoming = source[pruned.Convolutional ? $"conv{pruned.Layer}.weight" : $"fc{pruned.Layer}.weight"];
            var norms = incoming.abs().reshape(incoming.shape[0], -1).sum(1);
            var kept = norms.topk(maps[pruned.Layer - 1].Count).indexes.sort().Values;
            maps[pruned.Layer - 1] = UnitMap.Identity(0) with { Indices = kept.data<long>().ToArray(), ShareValues = [.. Enumerable.Repeat(1f, (int)kept.shape[0])] };
        }

        void Copy(string name, Tensor value)
        {
            if (!target.TryGetValue(name, out var destination))
            {
                throw new InvalidArchitectureException($"the child network has no {name}");
            }

            if (!destination.shape.SequenceEqual(value.shape))
            {
                throw new InvalidArchitectureException($"{name}: the child's shape [{string.Join(", ", destination.shape)}] does not match the derived [{string.Join(", ", value.shape)}]");
            }

            destination.copy_(value);
            written.Add(name);
        }

        // Convolutions: outputs by this layer's map, inputs by the previous layer's map and shares.
        for (var i = 1; i <= conv; i++)
        {
            var output = plan.Conv[i - 1];
            var input = i == 1 ? null : plan.Conv[i - 2];
            var weight = source[$"conv{i}.weight"].index_select(0, output.Index);
            if (input is not null)
            {
                weight = weight.index_select(1, input.Index) * input.Shares.view(1, -1, 1, 1);
            }

            Copy($"conv{i}.weight", weight);
            if (source.TryGetValue($"conv{i}.bias", out var bias))
            {
                Copy($"conv{i}.bias", bias.index_select(0, output.Index));
            }

            foreach (var name in new[] { "weight", "bias", "running_mean", "running_var" })
            {
                if (source.TryGetValue($"bn{i}.{name}", out var value))
                {
                    Copy($"bn{i}.{name}", value.index_select(0, output.Index));
                }
            }

            if (source.TryGetValue($"bn{i}.num_batches_tracked", out var tracked))
            {
                Copy($"bn{i}.num_batches_tracked", tracked);
            }
        }

        if (plan.NewConvLayer)
        {
            // The identity convolution: filter j passes channel j through its kernel's centre and nothing else.
            var weight = target[$"conv{conv + 1}.weight"];
            var channels = weight.shape[0];
            var centre = weight.shape[2] / 2;
            var identity = zeros_like(weight);
            identity.select(2, centre).select(2, centre).copy_(eye(channels));

            Copy($"conv{conv + 1}.weight", identity);
            if (target.ContainsKey($"conv{conv + 1}.bias"))
            {
                Copy($"conv{conv + 1}.bias", zeros(channels));
            }
        }

        // Fully connected layers; the first reads the last convolution's channels (times the pixels when flattened).
        for (var i = 1; i <= fc + 1; i++)
        {
            var name = i == fc + 1 ? "output" : $"fc{i}";
            var output = i == fc + 1 ? null : plan.Fc[i - 1];
            var weight = source[$"{name}.weight"];
            var bias = source[$"{name}.bias"];
            if (output is not null)
            {
                weight = weight.index_select(0, output.Index);
                bias = bias.index_select(0, output.Index);
            }

            weight = i == 1 ? FirstLinearInputs(weight, plan.Conv[conv - 1], parent, child, plan.NewConvLayer) : weight.index_select(1, plan.Fc[i - 2].Index) * plan.Fc[i - 2].Shares.view(1, -1);
            var childName = plan.NewFcLayer && i == fc + 1 ? "output" : name;
            Copy($"{childName}.weight", weight);
            Copy($"{childName}.bias", bias);
        }

        if (plan.NewFcLayer)
        {
            // Behind a ReLU every input is ≥ 0, so identity weights, no bias and another ReLU change nothing.
            var units = target[$"fc{fc + 1}.weight"].shape[0];
            Copy($"fc{fc + 1}.weight", eye(units));
            Copy($"fc{fc + 1}.bias", zeros(units));
        }

        var untouched = target.Keys.Except(written).ToArray();
        if (untouched.Length > 0)
        {
            throw new InvalidOperationException($"model surgery left {string.Join(", ", untouched)} of the child unset");
        }
    }

    /// <summary>The first linear layer's inputs: the last convolution's channels, or its channels times its pixels when flattened.</summary>
    private static Tensor FirstLinearInputs(Tensor weight, UnitMap channels, ConvNet parent, ConvNet child, bool newConvLayer)
    {
        if (parent.Spec.GlobalAveragePooling)
        {
            return weight.index_select(1, channels.Index) * channels.Shares.view(1, -1);
        }

        // Flattening is channel-major: each parent channel owns side x side consecutive inputs.
        var side = (long)Math.Round(Math.Sqrt(weight.shape[1] / (double)parent.Spec.ConvLayers[^1].Filters));
        var rows = weight.shape[0];
        var perChannel = weight.view(rows, -1, side * side);
        perChannel = perChannel.index_select(1, channels.Index) * channels.Shares.view(1, -1, 1);
        if (newConvLayer)
        {
            // One more 2x2 pooling: the weights of each 2x2 block go to the one pooled pixel that now stands for it.
            var half = side / 2;
            perChannel = perChannel.view(rows, -1, side, side)
                .narrow(2, 0, 2 * half).narrow(3, 0, 2 * half)
                .reshape(rows, -1, half, 2, half, 2)
                .sum(new long[] { 3, 5 });
        }

        var result = perChannel.reshape(rows, -1);
        var expected = child.Module.named_parameters().First(p => p.name == "fc1.weight").parameter.shape[1];
        return result.shape[1] == expected
            ? result
            : throw new InvalidArchitectureException($"the child's first fully connected layer takes {expected} inputs, but its parent's inputs map to {result.shape[1]}");
    }

    private static Dictionary<string, Tensor> Tensors(nn.Module module)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in module.named_parameters())
        {
            tensors[name] = parameter;
        }

        foreach (var (name, buffer) in module.named_buffers())
        {
            tensors[name] = buffer;
        }

        return tensors;
    }

    /// <summary>Which parent unit each child unit of every layer comes from, checked against the child's spec.</summary>
    private static SurgeryPlan Plan(ConvNetSpec parent, ConvNetSpec child, Morphism morphism, ulong seed)
    {
        var random = new DeterministicRandom(StableHash.Combine(seed, StableHash.Of("morphism"), StableHash.Of(morphism.ToString())));
        var conv = parent.ConvLayers.Select(l => UnitMap.Identity(l.Filters)).ToArray();
        var fc = parent.FullyConnectedUnits.Select(UnitMap.Identity).ToArray();
        var expectedConv = parent.ConvLayers.ToList();
        var expectedFc = parent.FullyConnectedUnits.ToList();
        var newConv = false;
        var newFc = false;
        var (kind, layer) = (morphism.Kind, LayerOf(morphism.Parameter));
        switch (kind)
        {
            case Morphism.Wider or Morphism.Prune when morphism.Parameter.StartsWith("filters_", StringComparison.Ordinal) && layer <= conv.Length:
                {
                    var filters = child.ConvLayers.Count >= layer ? child.ConvLayers[layer - 1].Filters : 0;
                    conv[layer - 1] = kind == Morphism.Wider ? UnitMap.Widen(conv[layer - 1].Count, filters, random) : UnitMap.Keep(filters);
                    expectedConv[layer - 1] = expectedConv[layer - 1] with { Filters = filters };
                    break;
                }

            case Morphism.Wider or Morphism.Prune when morphism.Parameter.StartsWith("units_", StringComparison.Ordinal) && layer <= fc.Length:
                {
                    var units = child.FullyConnectedUnits.Count >= layer ? child.FullyConnectedUnits[layer - 1] : 0;
                    fc[layer - 1] = kind == Morphism.Wider ? UnitMap.Widen(fc[layer - 1].Count, units, random) : UnitMap.Keep(units);
                    expectedFc[layer - 1] = units;
                    break;
                }

            case Morphism.Deeper when morphism.Parameter == "conv_layers" && child.ConvLayers.Count == conv.Length + 1:
                newConv = true;
                expectedConv.Add(child.ConvLayers[^1] with { Filters = parent.ConvLayers[^1].Filters, BatchNorm = false });
                break;
            case Morphism.Deeper when morphism.Parameter == "fc_layers" && child.FullyConnectedUnits.Count == fc.Length + 1:
                newFc = true;
                expectedFc.Add(parent.FullyConnectedUnits[^1]);
                break;
            default:
                throw new InvalidArchitectureException($"\"{morphism}\" is not a change this workload can make to the Table 2 network it is given");
        }

        // Everything but the morphed part must be the parent's; hyperparameters may differ.
        if (!expectedConv.SequenceEqual(child.ConvLayers) || !expectedFc.SequenceEqual(child.FullyConnectedUnits) || parent.GlobalAveragePooling != child.GlobalAveragePooling)
        {
            throw new InvalidArchitectureException($"the child's architecture is not its parent's after \"{morphism}\"");
        }

        if (kind == Morphism.Prune)
        {
            var before = morphism.Parameter.StartsWith("filters_", StringComparison.Ordinal) ? parent.ConvLayers[layer - 1].Filters : parent.FullyConnectedUnits[layer - 1];
            var after = morphism.Parameter.StartsWith("filters_", StringComparison.Ordinal) ? child.ConvLayers[layer - 1].Filters : child.FullyConnectedUnits[layer - 1];
            if (after >= before)
            {
                throw new InvalidArchitectureException($"pruning {morphism.Parameter} needs fewer units than the parent's {before}, not {after}");
            }

            // Which units stay is decided on the parent's weights, once they are at hand.
            return new SurgeryPlan(conv, fc, newConv, newFc) { PruneLayer = (morphism.Parameter.StartsWith("filters_", StringComparison.Ordinal), layer) };
        }

        return new SurgeryPlan(conv, fc, newConv, newFc);
    }

    private static int LayerOf(string parameter)
    {
        var underscore = parameter.LastIndexOf('_');
        return underscore >= 0 && int.TryParse(parameter.AsSpan(underscore + 1), out var layer) ? layer : 0;
    }

    /// <summary>
    /// The child's units of one layer: which parent unit each copies (<see cref="Index"/>), and the share of that
    /// parent unit's outgoing weights it carries (<see cref="Shares"/>: 1 for a unit that was not duplicated).
    /// </summary>
    private sealed record UnitMap(long[] Indices, float[] ShareValues)
    {
        public int Count => Indices.Length;

        public Tensor Index => tensor(Indices);

        public Tensor Shares => tensor(ShareValues);

        public static UnitMap Identity(int count) => new([.. Enumerable.Range(0, count).Select(i => (long)i)], [.. Enumerable.Repeat(1f, count)]);

        /// <summary>A placeholder for a pruned layer until the kept units are chosen from the weights.</summary>
        public static UnitMap Keep(int count) => new(new long[count], [.. Enumerable.Repeat(1f, count)]);

        public static UnitMap Widen(int from, int to, Random random)
        {
            if (to <= from)
            {
                throw new InvalidArchitectureException($"widening needs more units than the parent's {from}, not {to}");
            }

            var indices = new long[to];
            for (var j = 0; j < to; j++)
            {
                indices[j] = j < from ? j : random.Next(from);
            }

            // Random positive weights per copy, normalised per parent unit: the shares of each parent unit sum to one.
            var raw = indices.Select(_ => 0.5 + random.NextDouble()).ToArray();
            var totals = new double[from];
            for (var j = 0; j < to; j++)
            {
                totals[indices[j]] += raw[j];
            }

            return new UnitMap(indices, [.. indices.Select((parent, j) => (float)(raw[j] / totals[parent]))]);
        }
    }

    private sealed record SurgeryPlan(UnitMap[] Conv, UnitMap[] Fc, bool NewConvLayer, bool NewFcLayer)
    {
        /// <summary>The layer a pruning shrinks; its map is filled in from the parent's weights.</summary>
        public (bool Convolutional, int Layer)? PruneLayer { get; init; }
    }
}
