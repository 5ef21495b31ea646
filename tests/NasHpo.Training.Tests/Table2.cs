using NasHpo.Core.SearchSpaces;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

/// <summary>Configurations of the Table 2 space (names as in hocon/spaces/joint-nas-hpo-table2.conf).</summary>
internal static class Table2
{
    /// <param name="conv">Per conv layer: filters, kernel, batch norm.</param>
    /// <param name="units">Per fully connected layer: its units.</param>
    public static SearchConfiguration Configuration(
        (int Filters, int Kernel, bool BatchNorm)[] conv,
        int[] units,
        bool globalAveragePooling = false,
        double learningRate = 1e-3,
        int batchSize = 64)
    {
        var values = new Dictionary<string, ParameterValue>
        {
            ["conv_layers"] = ParameterValue.Of(conv.Length),
            ["fc_layers"] = ParameterValue.Of(units.Length),
            ["global_avg_pooling"] = ParameterValue.Of(globalAveragePooling),
            ["learning_rate"] = ParameterValue.Of(learningRate),
            ["batch_size"] = ParameterValue.Of(batchSize),
        };
        for (var i = 0; i < conv.Length; i++)
        {
            values[$"filters_{i + 1}"] = ParameterValue.Of(conv[i].Filters);
            // Kernel sizes are a categorical parameter: their values arrive as choice texts.
            values[$"kernel_{i + 1}"] = ParameterValue.Of(conv[i].Kernel.ToString(System.Globalization.CultureInfo.InvariantCulture));
            values[$"batch_norm_{i + 1}"] = ParameterValue.Of(conv[i].BatchNorm);
        }

        for (var i = 0; i < units.Length; i++)
        {
            values[$"units_{i + 1}"] = ParameterValue.Of(units[i]);
        }

        return new SearchConfiguration(values);
    }
}
