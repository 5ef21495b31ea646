namespace NasHpo.Core.SearchSpaces;

/// <summary>A value: a number (float, integer, boolean as 0 or 1) or the text of a choice (categorical, ordinal).</summary>
public readonly record struct ParameterValue(double Number, string? Text)
{
    public static ParameterValue Of(double number) => new(number, null);

    public static ParameterValue Of(string text) => new(double.NaN, text);

    public static ParameterValue Of(bool flag) => new(flag ? 1.0 : 0.0, null);

    public bool IsText => Text is not null;
}
