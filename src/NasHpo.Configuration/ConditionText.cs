using System.Text.RegularExpressions;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>The text form of a condition: "parent op value" with op one of ==, !=, &lt;, &lt;=, &gt;, &gt;=, or "parent in [a, b]".</summary>
internal static partial class ConditionText
{
    public const string Syntax = "\"<parent> <op> <value>\" with op ==, !=, <, <=, >, >=, or \"<parent> in [a, b]\"";

    /// <summary>Returns null when the text does not have the form of a condition.</summary>
    public static Condition? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var membership = MembershipPattern().Match(text);
        if (membership.Success)
        {
            var items = membership.Groups["list"].Value
                .Split(',')
                .Select(item => Unquote(item.Trim()))
                .Where(item => item.Length > 0)
                .ToList();
            return new Condition(membership.Groups["parent"].Value, ConditionOperator.In, items);
        }

        var comparison = ComparisonPattern().Match(text);
        if (!comparison.Success)
        {
            return null;
        }

        var op = comparison.Groups["op"].Value switch
        {
            "==" => ConditionOperator.Equal,
            "!=" => ConditionOperator.NotEqual,
            "<=" => ConditionOperator.LessOrEqual,
            ">=" => ConditionOperator.GreaterOrEqual,
            "<" => ConditionOperator.Less,
            _ => ConditionOperator.Greater,
        };
        return new Condition(comparison.Groups["parent"].Value, op, Unquote(comparison.Groups["value"].Value));
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text[^1] == text[0] ? text[1..^1] : text;

    [GeneratedRegex(@"^\s*(?<parent>[A-Za-z0-9_.\-]+)\s+in\s*\[(?<list>[^\]]*)\]\s*$")]
    private static partial Regex MembershipPattern();

    [GeneratedRegex(@"^\s*(?<parent>[A-Za-z0-9_.\-]+)\s*(?<op>==|!=|<=|>=|<|>)\s*(?<value>[^\s<>=!](?:.*\S)?)\s*$")]
    private static partial Regex ComparisonPattern();
}
