using NasHpo.Core.SearchSpaces;

namespace NasHpo.Training.Models;

/// <summary>One convolutional layer of the Table 2 network: convolution, optional batch norm, ReLU, 2x2 max-pooling.</summary>
internal sealed record ConvLayerSpec(int Filters, int Kernel, bool BatchNorm);

/// <summary>
/// The joint NAS + HPO configuration of "Bag of Baselines" (Izquierdo et al., 2021), Table 2, read from a
/// <see cref="Configuration"/> with the parameter names of hocon/spaces/joint-nas-hpo-table2.conf.
/// </summary>
internal sealed record ConvNetSpec(
    IReadOnlyList<ConvLayerSpec> ConvLayers,
    bool GlobalAveragePooling,
    IReadOnlyList<int> FullyConnectedUnits,
    double LearningRate,
    int BatchSize)
{
    public static ConvNetSpec FromConfiguration(Core.SearchSpaces.Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var convLayers = configuration.GetInt32("conv_layers");
        var fcLayers = configuration.GetInt32("fc_layers");
        if (convLayers < 1 || fcLayers < 1)
        {
            throw new InvalidArchitectureException($"conv_layers ({convLayers}) and fc_layers ({fcLayers}) must be at least 1");
        }

        var conv = Enumerable.Range(1, convLayers)
            .Select(i => new ConvLayerSpec(
                configuration.GetInt32($"filters_{i}"),
                configuration.GetInt32($"kernel_{i}"),
                configuration.GetBoolean($"batch_norm_{i}")))
            .ToArray();
        var units = Enumerable.Range(1, fcLayers).Select(i => configuration.GetInt32($"units_{i}")).ToArray();
        var spec = new ConvNetSpec(
            conv,
            configuration.GetBoolean("global_avg_pooling"),
            units,
            configuration.GetDouble("learning_rate"),
            configuration.GetInt32("batch_size"));
        spec.Validate();
        return spec;
    }

    public void Validate()
    {
        for (var i = 0; i < ConvLayers.Count; i++)
        {
            var layer = ConvLayers[i];
            if (layer.Filters < 1 || layer.Kernel < 1 || layer.Kernel % 2 == 0)
            {
                throw new InvalidArchitectureException($"conv layer {i + 1} needs at least one filter and an odd kernel size, not {layer.Filters} filters of size {layer.Kernel}");
            }
        }

        if (FullyConnectedUnits.Any(u => u < 1))
        {
            throw new InvalidArchitectureException($"every fully connected layer needs at least one unit, not [{string.Join(", ", FullyConnectedUnits)}]");
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new InvalidArchitectureException($"the learning rate must be positive and finite, not {LearningRate}");
        }

        if (BatchSize < 1)
        {
            throw new InvalidArchitectureException($"the batch size must be at least 1, not {BatchSize}");
        }
    }
}

/// <summary>A configuration that describes no buildable network (a feature map shrunk to nothing, say).</summary>
internal sealed class InvalidArchitectureException : Exception
{
    public InvalidArchitectureException()
    {
    }

    public InvalidArchitectureException(string message)
        : base(message)
    {
    }

    public InvalidArchitectureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
