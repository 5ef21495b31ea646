namespace NasHpo.Core.SearchSpaces;

/// <summary>A validated condition over the parent's native value (number, 0/1 or choice position).</summary>
internal sealed class CompiledCondition(Condition source, int parentIndex, double[] targets)
{
    public Condition Source { get; } = source;

    public int ParentIndex { get; } = parentIndex;

    public bool Holds(double parentValue) => Source.Operator switch
    {
        ConditionOperator.Equal => parentValue == targets[0],
        ConditionOperator.NotEqual => parentValue != targets[0],
        ConditionOperator.Less => parentValue < targets[0],
        ConditionOperator.LessOrEqual => parentValue <= targets[0],
        ConditionOperator.Greater => parentValue > targets[0],
        ConditionOperator.GreaterOrEqual => parentValue >= targets[0],
        ConditionOperator.In => Array.IndexOf(targets, parentValue) >= 0,
        _ => false,
    };
}
