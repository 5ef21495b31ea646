using Google.Protobuf.Collections;
using NasHpo.Actors.Serialization.Proto;
using NasHpo.Core.Optimizers;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Actors.Serialization;

/// <summary>Conversions between Core values and their Protobuf messages, shared by every event and message mapping.</summary>
internal static class ProtoMapping
{
    public static TrialIdData ToData(this TrialId id) => new() { ConfigurationId = id.ConfigurationId, Budget = id.Budget };

    public static TrialId FromData(this TrialIdData data) => new(data.ConfigurationId, data.Budget);

    public static ConfigurationData ToData(this SearchConfiguration configuration)
    {
        var data = new ConfigurationData();
        foreach (var (name, value) in configuration.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Values.Add(value.Text is { } text
                ? new Proto.ParameterValue { Name = name, Text = text }
                : new Proto.ParameterValue { Name = name, Number = value.Number });
        }

        return data;
    }

    public static SearchConfiguration FromData(this ConfigurationData data) =>
        new(data.Values.Select(v => new KeyValuePair<string, Core.SearchSpaces.ParameterValue>(
            v.Name,
            v.ValueCase == Proto.ParameterValue.ValueOneofCase.Text
                ? Core.SearchSpaces.ParameterValue.Of(v.Text)
                : Core.SearchSpaces.ParameterValue.Of(v.Number))));

    public static TrialRequestData ToData(this TrialRequest request)
    {
        var data = new TrialRequestData
        {
            Id = request.Id.ToData(),
            Configuration = request.Configuration.ToData(),
            Bracket = request.Bracket,
            Rung = request.Rung,
        };
        if (request.Parent is { } parent)
        {
            data.Parent = parent.ToData();
        }

        if (request.Lineage is { } lineage)
        {
            data.Lineage = new TrialLineageData
            {
                ParentTrial = lineage.ParentTrial.ToData(),
                ParentConfiguration = lineage.ParentConfiguration.ToData(),
                Operation = lineage.Operation,
            };
        }

        return data;
    }

    public static TrialRequest FromData(this TrialRequestData data) =>
        new(
            data.Id.FromData(),
            data.Configuration.FromData(),
            data.Bracket,
            data.Rung,
            data.Parent?.FromData(),
            data.Lineage is { } lineage ? new TrialLineage(lineage.ParentTrial.FromData(), lineage.ParentConfiguration.FromData(), lineage.Operation) : null);

    public static TrialResultData ToData(this TrialResult result)
    {
        var data = new TrialResultData { Id = result.Id.ToData(), Failed = result.Failed, FailureReason = result.FailureReason ?? string.Empty };
        if (result.Objectives is { } objectives)
        {
            data.Objectives.AddRange(objectives);
        }

        return data;
    }

    public static TrialResult FromData(this TrialResultData data) =>
        data.Failed
            ? TrialResult.Failure(data.Id.FromData(), data.FailureReason)
            : TrialResult.Completed(data.Id.FromData(), data.Objectives.ToArray());

    public static long ToUnixMs(this DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static double[] ToArray(this RepeatedField<double> field) => [.. field];
}
