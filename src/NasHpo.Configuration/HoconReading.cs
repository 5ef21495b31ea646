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

        // Akka reads the literal null as a string that is not there.
        return value.GetString()?.Trim() ?? throw new ConfigurationException(path, "is null");
    }

    public static double Number(HoconValue value, string path)
    {
        var text = Text(value, path);
        return ParseNumber(text) ?? throw new ConfigurationException(path, $"\"{text}\" is not a number");
    }

    public static long Integer(HoconValue value, string path)
    {
        var text = Text(value, path);
        if (ParseNumber(text) is null)
        {
            throw new ConfigurationException(path, $"\"{text}\" is not a number");
        }

        return ParseInteger(text) ?? throw new ConfigurationException(path, $"{text} is not an integer");
    }

    public static bool Boolean(HoconValue value, string path)
    {
        var text = Text(value, path);
        return ParseBoolean(text) ?? throw new ConfigurationException(path, $"\"{text}\" is not a boolean (true or false)");
    }

    // The parsing rules, one set for every reader of a study (HOCON values here, Config sections in ConfigReading),
    // so that a value means the same whichever key it is written under.

    /// <summary>A number in invariant notation ("3", "2.5", "1e-3"); null if the text is none. Infinities and NaN parse.</summary>
    public static double? ParseNumber(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>
    /// An integer: "3", and also a number with an integral value written otherwise ("3.0", "3e0"), as HOCON has one
    /// number type; null for anything else, "2.5" included.
    /// </summary>
    public static long? ParseInteger(string text)
    {
        if (long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        return ParseNumber(text) is { } number && double.IsInteger(number) && Math.Abs(number) <= 9.007199254740992E15 ? (long)number : null;
    }

    /// <summary>true, yes, on / false, no, off, in any case; null for anything else.</summary>
    public static bool? ParseBoolean(string text)
    {
        var word = text.Trim();
        return TrueWords.Contains(word, StringComparer.OrdinalIgnoreCase) ? true
            : FalseWords.Contains(word, StringComparer.OrdinalIgnoreCase) ? false
            : null;
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

        return value.IsString() ? (value.GetString() is { } text ? $"\"{text.Trim()}\"" : "null") : "a mixed value";
    }
}
