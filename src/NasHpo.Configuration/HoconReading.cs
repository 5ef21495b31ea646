using System.Globalization;
using Akka.Configuration.Hocon;

namespace NasHpo.Configuration;

/// <summary>Path-aware reads of HOCON values that fail with one-line ConfigurationExceptions.</summary>
internal static class HoconReading
{
    private static readonly string[] TrueWords = ["true", "yes", "on"];
    private static readonly string[] FalseWords = ["false", "no", "off"];

    // Akka keeps the whitespace around a value as extra literal elements; they carry no meaning.
    private static IEnumerable<IHoconElement> Meaningful(HoconValue value) =>
        value.Values.Where(e => !(e is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value)));

    public static bool IsBlank(HoconValue value) => !Meaningful(value).Any();

    public static bool IsObject(HoconValue value) => Meaningful(value).Any() && Meaningful(value).All(e => e is HoconObject);

    public static bool IsList(HoconValue value) => Meaningful(value).Any() && Meaningful(value).All(e => e is HoconArray);

    public static IReadOnlyDictionary<string, HoconValue> Object(HoconValue value, string path) =>
        IsObject(value) ? value.GetObject().Items : throw new ConfigurationException(path, $"expected an object {{ ... }}, got {Show(value)}");

    public static IReadOnlyList<HoconValue> List(HoconValue value, string path) =>
        IsList(value)
            ? [.. value.GetArray().Where(e => !IsBlank(e))]
            : throw new ConfigurationException(path, $"expected a list [ ... ], got {Show(value)}");

    public static string Text(HoconValue value, string path)
    {
        if (IsBlank(value))
        {
            throw new ConfigurationException(path, "is empty");
        }

        if (IsObject(value) || IsList(value) || !value.IsString())
        {
            throw new ConfigurationException(path, $"expected a single value, got {Show(value)}");
        }

        return value.GetString().Trim();
    }

    public static double Number(HoconValue value, string path)
    {
        var text = Text(value, path);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ConfigurationException(path, $"\"{text}\" is not a number");
    }

    public static long Integer(HoconValue value, string path)
    {
        var text = Text(value, path);
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw new ConfigurationException(path, $"\"{text}\" is not a number");
        }

        return double.IsInteger(number) && Math.Abs(number) <= 9.007199254740992E15
            ? (long)number
            : throw new ConfigurationException(path, $"{text} is not an integer");
    }

    public static bool Boolean(HoconValue value, string path)
    {
        var text = Text(value, path);
        if (TrueWords.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        return FalseWords.Contains(text, StringComparer.OrdinalIgnoreCase)
            ? false
            : throw new ConfigurationException(path, $"\"{text}\" is not a boolean (true or false)");
    }

    /// <summary>Throws for the first key not in allowed, naming the allowed keys.</summary>
    public static void OnlyKeys(IReadOnlyDictionary<string, HoconValue> items, string path, IReadOnlyList<string> allowed)
    {
        foreach (var key in items.Keys)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw new ConfigurationException($"{path}.{key}", $"unknown key (expected {string.Join(", ", allowed)})");
            }
        }
    }

    public static HoconValue Required(IReadOnlyDictionary<string, HoconValue> items, string path, string key) =>
        items.TryGetValue(key, out var value) ? value : throw new ConfigurationException($"{path}.{key}", "missing");

    public static string Show(HoconValue value)
    {
        if (IsBlank(value))
        {
            return "nothing";
        }

        if (IsObject(value))
        {
            return "an object";
        }

        if (IsList(value))
        {
            return "a list";
        }

        return value.IsString() ? $"\"{value.GetString().Trim()}\"" : "a mixed value";
    }
}
