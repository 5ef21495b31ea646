using System.Globalization;
using Akka.Configuration;

namespace NasHpo.Configuration;

/// <summary>
/// Reads single keys of a <see cref="Config"/> section with the study's parsing rules (those of
/// <see cref="HoconReading"/>: one reader, so a boolean or an integer is read alike wherever it is written), failing
/// with one-line ConfigurationExceptions that name the HOCON path.
/// </summary>
internal static class ConfigReading
{
    public static void RejectUnknownKeys(Config section, string path, IReadOnlyList<string> known, string? owner = null)
    {
        foreach (var key in section.AsEnumerable().Select(p => p.Key.Split('.')[0]).Distinct())
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw new ConfigurationException($"{path}.{key}", $"unknown key{(owner is null ? string.Empty : " for " + owner)} (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    public static bool ReadBoolean(Config section, string key, string path)
    {
        var text = section.GetString(key);
        return HoconReading.ParseBoolean(text ?? string.Empty) ?? throw new ConfigurationException(path, $"\"{text}\" is not true or false");
    }

    public static string RequireString(Config section, string key, string path)
    {
        if (!section.HasPath(key))
        {
            throw new ConfigurationException(path, "missing");
        }

        var value = section.GetString(key);
        return string.IsNullOrWhiteSpace(value) ? throw new ConfigurationException(path, "is empty") : value.Trim();
    }

    public static double ReadDouble(Config section, string key, string path, double fallback, double minimum = double.MinValue, double maximum = double.MaxValue)
    {
        if (!section.HasPath(key))
        {
            return fallback;
        }

        var text = section.GetString(key);
        if (HoconReading.ParseNumber(text ?? string.Empty) is not { } value || !double.IsFinite(value))
        {
            throw new ConfigurationException(path, $"\"{text}\" is not a finite number");
        }

        return value < minimum || value > maximum
            ? throw new ConfigurationException(path, $"{Format(value)} is outside [{Format(minimum)}, {Format(maximum)}]")
            : value;
    }

    public static long ReadLong(Config section, string key, string path, long fallback, long minimum = long.MinValue, long maximum = long.MaxValue)
    {
        if (!section.HasPath(key))
        {
            return fallback;
        }

        var text = section.GetString(key);
        var value = HoconReading.ParseInteger(text ?? string.Empty) ?? throw new ConfigurationException(path, $"\"{text}\" is not an integer");
        return value < minimum ? throw new ConfigurationException(path, $"{value} is below the minimum {minimum}")
            : value > maximum ? throw new ConfigurationException(path, $"{value} is above the maximum {maximum}")
            : value;
    }

    public static double[] ReadNumbers(Config section, string key, string path)
    {
        // GetStringList reads an object or a single value as an empty list, which would be reported as a count, and
        // an element that is itself a list or an object as null.
        var value = section.GetValue(key);
        if (value is null || !HoconReading.IsList(value))
        {
            throw new ConfigurationException(path, $"expected a list of numbers, got {(value is null ? "nothing" : HoconReading.Show(value))}");
        }

        return HoconReading.List(value, path).Select((item, i) =>
        {
            var at = $"{path}[{i}]";
            var text = HoconReading.Text(item, at);
            return HoconReading.ParseNumber(text) is { } number && double.IsFinite(number)
                ? number
                : throw new ConfigurationException(at, $"\"{text}\" is not a finite number");
        }).ToArray();
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
