using System.Globalization;

namespace NasHpo.Core.SearchSpaces;

internal enum ConditionOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
}

/// <summary>A parameter is active only when its parent is active and this holds for the parent's value.</summary>
/// <remarks>
/// Less/Greater compare numbers for numeric parents and choice positions for ordinal parents; Equal, NotEqual and In
/// compare choice texts for categorical and ordinal parents, numbers for numeric parents and "true"/"false" for booleans.
/// </remarks>
internal sealed record Condition(string Parent, ConditionOperator Operator, IReadOnlyList<string> Values)
{
    public Condition(string parent, ConditionOperator @operator, string value)
        : this(parent, @operator, [value])
    {
    }

    public static string Symbol(ConditionOperator @operator) => @operator switch
    {
        ConditionOperator.Equal => "==",
        ConditionOperator.NotEqual => "!=",
        ConditionOperator.Less => "<",
        ConditionOperator.LessOrEqual => "<=",
        ConditionOperator.Greater => ">",
        ConditionOperator.GreaterOrEqual => ">=",
        ConditionOperator.In => "in",
        _ => ((int)@operator).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The condition as it is written in a study file, e.g. "conv_layers >= 2" or "optimizer in [adam, sgd]".</summary>
    public override string ToString() => Operator == ConditionOperator.In || Values.Count != 1
        ? $"{Parent} {Symbol(Operator)} [{string.Join(", ", Values)}]"
        : $"{Parent} {Symbol(Operator)} {Values[0]}";
}
