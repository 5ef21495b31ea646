using Akka.Configuration;
using NasHpo.Core.Objectives;
using static NasHpo.Configuration.HoconReading;

namespace NasHpo.Configuration;

/// <summary>
/// Reads <c>objectives = [ { name = val-error, direction = minimize, cost = expensive, scale = linear }, ... ]</c>;
/// direction defaults to minimize, cost to expensive and scale to linear (<c>log</c>: optimised as log10 of the value).
/// </summary>
internal static class ObjectivesReader
{
    private static readonly string[] Keys = ["name", "direction", "cost", "scale"];

    public static IReadOnlyList<Objective> Read(Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(path);
        var value = config.GetValue(path) ?? throw new ConfigurationException(path, "missing");
        var list = List(value, path);
        if (list.Count == 0)
        {
            throw new ConfigurationException(path, "at least one objective is needed");
        }

        var objectives = new List<Objective>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{path}[{i}]";
            var items = Object(list[i], at);
            OnlyKeys(items, at, Keys);
            var name = Text(Required(items, at, "name"), $"{at}.name");
            if (!seen.Add(name))
            {
                throw new ConfigurationException($"{at}.name", $"\"{name}\" is defined twice");
            }

            var direction = ObjectiveDirection.Minimize;
            if (items.TryGetValue("direction", out var directionValue))
            {
                var text = Text(directionValue, $"{at}.direction");
                direction = text.ToUpperInvariant() switch
                {
                    "MINIMIZE" or "MINIMISE" or "MIN" => ObjectiveDirection.Minimize,
                    "MAXIMIZE" or "MAXIMISE" or "MAX" => ObjectiveDirection.Maximize,
                    _ => throw new ConfigurationException($"{at}.direction", $"unknown direction \"{text}\" (expected minimize or maximize)"),
                };
            }

            var cost = ObjectiveCost.Expensive;
            if (items.TryGetValue("cost", out var costValue))
            {
                var text = Text(costValue, $"{at}.cost");
                cost = text.ToUpperInvariant() switch
                {
                    "EXPENSIVE" => ObjectiveCost.Expensive,
                    "CHEAP" => ObjectiveCost.Cheap,
                    _ => throw new ConfigurationException($"{at}.cost", $"unknown cost \"{text}\" (expected expensive or cheap)"),
                };
            }

            var scale = ObjectiveScale.Linear;
            if (items.TryGetValue("scale", out var scaleValue))
            {
                var text = Text(scaleValue, $"{at}.scale");
                scale = text.ToUpperInvariant() switch
                {
                    "LINEAR" => ObjectiveScale.Linear,
                    "LOG" or "LOG10" => ObjectiveScale.Log,
                    _ => throw new ConfigurationException($"{at}.scale", $"unknown scale \"{text}\" (expected linear or log)"),
                };
            }

            objectives.Add(new Objective(name, direction, cost, scale));
        }

        return objectives;
    }
}
