using Akka.Configuration;
using Akka.Configuration.Hocon;
using NasHpo.Core.SearchSpaces;
using static NasHpo.Configuration.HoconReading;

namespace NasHpo.Configuration;

/// <summary>
/// Reads a search space from a HOCON object whose keys are parameter names:
/// <code>
/// learning_rate { type = float, lower = 1e-5, upper = 1.0, log = true }
/// filters_2     { type = int, lower = 16, upper = 1024, log = true, when = "conv_layers >= 2" }
/// kernel_1      { type = categorical, choices = [3, 5, 7] }
/// </code>
/// Every error names the full HOCON path and the offending value in one line.
/// </summary>
internal static class SearchSpaceReader
{
    private const string KnownTypes = "float, int, categorical, ordinal, bool";
    private static readonly string[] NumberKeys = ["type", "lower", "upper", "log", "when"];
    private static readonly string[] ChoiceKeys = ["type", "choices", "when"];
    private static readonly string[] BooleanKeys = ["type", "when"];

    public static SearchSpace Read(Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(path);
        var value = config.GetValue(path) ?? throw new ConfigurationException(path, "missing");
        var items = Object(value, path);
        if (items.Count == 0)
        {
            throw new ConfigurationException(path, "the search space has no parameters");
        }

        var parameters = items.Select(item => ReadParameter(item.Key, item.Value, $"{path}.{item.Key}")).ToList();
        try
        {
            return SearchSpace.Create(parameters);
        }
        catch (SearchSpaceException error)
        {
            var at = error.ParameterName is null ? path : $"{path}.{error.ParameterName}";
            var field = error.Field switch
            {
                null or "name" => null,
                "conditions" => "when",
                _ => error.Field,
            };
            throw new ConfigurationException(field is null ? at : $"{at}.{field}", error.Detail, error);
        }
    }

    private static Parameter ReadParameter(string name, HoconValue value, string path)
    {
        var items = Object(value, path);
        var type = Text(Required(items, path, "type"), $"{path}.type");
        Parameter parameter;
        switch (type.ToUpperInvariant())
        {
            case "FLOAT" or "REAL" or "DOUBLE":
                OnlyKeys(items, path, NumberKeys);
                parameter = new FloatParameter(
                    name,
                    Number(Required(items, path, "lower"), $"{path}.lower"),
                    Number(Required(items, path, "upper"), $"{path}.upper"),
                    ReadLog(items, path));
                break;
            case "INT" or "INTEGER":
                OnlyKeys(items, path, NumberKeys);
                parameter = new IntegerParameter(
                    name,
                    Integer(Required(items, path, "lower"), $"{path}.lower"),
                    Integer(Required(items, path, "upper"), $"{path}.upper"),
                    ReadLog(items, path));
                break;
            case "CATEGORICAL" or "CHOICE":
                OnlyKeys(items, path, ChoiceKeys);
                parameter = new CategoricalParameter(name, ReadChoices(items, path));
                break;
            case "ORDINAL":
                OnlyKeys(items, path, ChoiceKeys);
                parameter = new OrdinalParameter(name, ReadChoices(items, path));
                break;
            case "BOOL" or "BOOLEAN":
                OnlyKeys(items, path, BooleanKeys);
                parameter = new BooleanParameter(name);
                break;
            default:
                throw new ConfigurationException($"{path}.type", $"unknown type \"{type}\" (expected {KnownTypes})");
        }

        return items.TryGetValue("when", out var when)
            ? parameter with { Conditions = ReadConditions(when, $"{path}.when") }
            : parameter;
    }

    private static bool ReadLog(IReadOnlyDictionary<string, HoconValue> items, string path) =>
        items.TryGetValue("log", out var log) && Boolean(log, $"{path}.log");

    private static List<string> ReadChoices(IReadOnlyDictionary<string, HoconValue> items, string path)
    {
        var choicesPath = $"{path}.choices";
        var list = List(Required(items, path, "choices"), choicesPath);
        if (list.Count == 0)
        {
            throw new ConfigurationException(choicesPath, "the list of choices is empty");
        }

        return [.. list.Select((choice, i) => Text(choice, $"{choicesPath}[{i}]"))];
    }

    private static List<Condition> ReadConditions(HoconValue when, string path)
    {
        if (IsList(when))
        {
            return [.. List(when, path).Select((item, i) => ReadCondition(item, $"{path}[{i}]"))];
        }

        return [ReadCondition(when, path)];
    }

    private static Condition ReadCondition(HoconValue value, string path)
    {
        var text = Text(value, path);
        return ConditionText.TryParse(text)
            ?? throw new ConfigurationException(path, $"cannot read \"{text}\" (expected {ConditionText.Syntax})");
    }
}
