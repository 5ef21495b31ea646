using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using NasHpo.Core.Randomness;

namespace NasHpo.Core.SearchSpaces;

/// <summary>An immutable assignment of values to the active parameters of a space.</summary>
/// <remarks>
/// Equality, hash and fingerprint all derive from the canonical string, so two configurations that print the same are
/// the same configuration in every process.
/// </remarks>
public sealed class Configuration : IEquatable<Configuration>
{
    private readonly ReadOnlyDictionary<string, ParameterValue> _values;
    private string? _canonical;

    public Configuration(IEnumerable<KeyValuePair<string, ParameterValue>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = new SortedDictionary<string, ParameterValue>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("a configuration value needs a non-empty parameter name", nameof(values));
            }

            if (value.Text is null && !double.IsFinite(value.Number))
            {
                throw new ArgumentException($"parameter '{name}' has the non-finite value {Format(value.Number)}", nameof(values));
            }

            // A text value ignores its number, so normalise it away: equal texts must give equal values.
            if (!sorted.TryAdd(name, value.Text is null ? value : ParameterValue.Of(value.Text)))
            {
                throw new ArgumentException($"parameter '{name}' is given twice", nameof(values));
            }
        }

        _values = new ReadOnlyDictionary<string, ParameterValue>(sorted);
    }

    public IReadOnlyDictionary<string, ParameterValue> Values => _values;

    public int Count => _values.Count;

    /// <summary>Stable 64-bit hash of the canonical string.</summary>
    internal ulong Fingerprint => StableHash.Of(ToCanonicalString());

    /// <summary>"name=value;..." sorted by ordinal name: the identity of a configuration across processes.</summary>
    /// <remarks>
    /// Integral numbers are written without decimals, other numbers in their shortest round-trip invariant form;
    /// '\', ';' and '=' inside choice texts are escaped with a backslash.
    /// </remarks>
    public string ToCanonicalString()
    {
        if (_canonical is { } cached)
        {
            return cached;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in _values)
        {
            if (builder.Length > 0)
            {
                builder.Append(';');
            }

            Escape(builder, name);
            builder.Append('=');
            if (value.Text is { } text)
            {
                Escape(builder, text);
            }
            else
            {
                builder.Append(Format(value.Number));
            }
        }

        _canonical = builder.ToString();
        return _canonical;
    }

    public bool Contains(string name) => _values.ContainsKey(name);

    public bool TryGetValue(string name, out ParameterValue value) => _values.TryGetValue(name, out value);

    /// <summary>The number, or a choice text read as an invariant number.</summary>
    public double GetDouble(string name)
    {
        var value = Get(name);
        if (value.Text is null)
        {
            return value.Number;
        }

        return double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidCastException($"parameter '{name}' has the choice \"{value.Text}\", which is not a number");
    }

    /// <summary>An integral number, or a choice text that is an integer (e.g. a kernel size "5").</summary>
    public long GetInt64(string name)
    {
        var value = Get(name);
        if (value.Text is null)
        {
            return double.IsInteger(value.Number) && Math.Abs(value.Number) <= 9.007199254740992E15
                ? (long)value.Number
                : throw new InvalidCastException($"parameter '{name}' has the value {Format(value.Number)}, which is not an integer");
        }

        return long.TryParse(value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidCastException($"parameter '{name}' has the choice \"{value.Text}\", which is not an integer");
    }

    public int GetInt32(string name)
    {
        var value = GetInt64(name);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new InvalidCastException($"parameter '{name}' has the value {value}, which does not fit in 32 bits");
    }

    /// <summary>A boolean parameter (0 or 1), or a choice "true"/"false".</summary>
    public bool GetBoolean(string name)
    {
        var value = Get(name);
        if (value.Text is null)
        {
            return value.Number switch
            {
                0.0 => false,
                1.0 => true,
                _ => throw new InvalidCastException($"parameter '{name}' has the value {Format(value.Number)}, which is not a boolean (0 or 1)"),
            };
        }

        return bool.TryParse(value.Text, out var flag)
            ? flag
            : throw new InvalidCastException($"parameter '{name}' has the choice \"{value.Text}\", which is not a boolean");
    }

    /// <summary>The text of a choice, or a number in its canonical form.</summary>
    public string GetString(string name)
    {
        var value = Get(name);
        return value.Text ?? Format(value.Number);
    }

    public bool Equals(Configuration? other) =>
        other is not null && (ReferenceEquals(this, other) || string.Equals(ToCanonicalString(), other.ToCanonicalString(), StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as Configuration);

    public override int GetHashCode()
    {
        var fingerprint = Fingerprint;
        return (int)fingerprint ^ (int)(fingerprint >> 32);
    }

    public override string ToString() => ToCanonicalString();

    /// <summary>Integral values without decimals, others in the shortest form that parses back to the same double.</summary>
    internal static string Format(double number) =>
        double.IsInteger(number) && Math.Abs(number) < 1E15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);

    private ParameterValue Get(string name) =>
        _values.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"the configuration has no value for parameter '{name}' (inactive or not in the search space)");

    private static void Escape(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            if (c is '\\' or ';' or '=')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }
}
