namespace NasHpo.Core.SearchSpaces;

internal abstract record Parameter(string Name)
{
    /// <summary>All must hold (and every parent be active) for the parameter to be active.</summary>
    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    public abstract ParameterKind Kind { get; }

    /// <summary>Number of choices for categorical, ordinal (and 2 for boolean); 0 for numbers.</summary>
    public virtual int ChoiceCount => 0;
}

/// <summary>A real number in [Lower, Upper]; with Log, sampled log-uniformly (both bounds must then be positive).</summary>
internal sealed record FloatParameter(string Name, double Lower, double Upper, bool Log = false) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Float;
}

/// <summary>
/// An integer in [Lower, Upper]. With Log, each integer v gets the log-space mass of [v - 0.5, v + 0.5] (clipped to
/// [Lower - 0.5, Upper + 0.5]), so Lower must be at least 1.
/// </summary>
internal sealed record IntegerParameter(string Name, long Lower, long Upper, bool Log = false) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Integer;
}

/// <summary>Unordered choices: mutation jumps to any other choice.</summary>
internal sealed record CategoricalParameter(string Name, IReadOnlyList<string> Choices) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Categorical;

    public override int ChoiceCount => Choices.Count;
}

/// <summary>Ordered choices: mutation moves to a neighbour, and conditions may compare positions.</summary>
internal sealed record OrdinalParameter(string Name, IReadOnlyList<string> Choices) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Ordinal;

    public override int ChoiceCount => Choices.Count;
}

/// <summary>False or true, held as the number 0 or 1 and encoded as the choices [false, true].</summary>
internal sealed record BooleanParameter(string Name) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Boolean;

    public override int ChoiceCount => 2;
}
