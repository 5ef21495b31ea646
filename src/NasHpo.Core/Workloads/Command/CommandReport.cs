using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NasHpo.Core.Workloads.Command;

/// <summary>
/// The lines a trial's program reports on: <c>NASHPO_REPORT {"epoch": 3, "val-error": 0.21}</c>, one JSON object
/// of numbers after the marker. Python's json module writes NaN and Infinity bare; they are read as the numbers
/// they mean, so that a diverged training fails the trial with "is NaN" rather than with a parse error.
/// </summary>
internal static partial class CommandReport
{
    public const string Marker = "NASHPO_REPORT ";

    /// <summary>
    /// The values of a report line, null when the line is not a report; throws <see cref="FormatException"/> for a
    /// report that is not a JSON object. Keys whose values are not numbers (texts, flags) are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, double>? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        var json = BareNonFinite().Replace(line[Marker.Length..], match => $"{match.Groups[1].Value}\"{match.Groups[2].Value}\"");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new FormatException($"a {Marker.Trim()} line is not JSON ({error.Message}): {Shorten(line)}", error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"a {Marker.Trim()} line is not a JSON object: {Shorten(line)}");
            }

            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number)
                {
                    values[property.Name] = property.Value.GetDouble();
                }
                else if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is "NaN" or "Infinity" or "-Infinity")
                {
                    values[property.Name] = double.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture);
                }
            }

            return values;
        }
    }

    /// <summary>The x of a report on its learning curve: its epoch or step when it gives one, else its position from 1.</summary>
    public static double StepOf(IReadOnlyDictionary<string, double> values, int position)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue("epoch", out var epoch) ? epoch
            : values.TryGetValue("step", out var step) ? step
            : position;
    }

    private static string Shorten(string line) => line.Length <= 200 ? line : line[..200] + "…";

    // A bare NaN, Infinity or -Infinity in value position (after ':' or ',' or '['), outside strings in practice.
    [GeneratedRegex(@"([:\[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])")]
    private static partial Regex BareNonFinite();
}
