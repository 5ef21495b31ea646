// CONTRACT STUB (to be replaced by the implementation): the public surface other parts of the project code against.
namespace NasHpo.Core.SearchSpaces;

public enum ParameterKind
{
    Float,
    Integer,
    Categorical,
    Ordinal,
    Boolean,
}

/// <summary>A value: a number (float, integer, boolean as 0 or 1) or the text of a choice (categorical, ordinal).</summary>
public readonly record struct ParameterValue(double Number, string? Text)
{
    public static ParameterValue Of(double number) => new(number, null);

    public static ParameterValue Of(string text) => new(double.NaN, text);
}

public enum ConditionOperator
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
public sealed record Condition(string Parent, ConditionOperator Operator, IReadOnlyList<string> Values);

public abstract record Parameter(string Name)
{
    /// <summary>All must hold (and every parent be active) for the parameter to be active.</summary>
    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    public abstract ParameterKind Kind { get; }

    /// <summary>Number of choices for categorical, ordinal (and 2 for boolean); 0 for numbers.</summary>
    public virtual int ChoiceCount => 0;
}

public sealed record FloatParameter(string Name, double Lower, double Upper, bool Log = false) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Float;
}

public sealed record IntegerParameter(string Name, long Lower, long Upper, bool Log = false) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Integer;
}

public sealed record CategoricalParameter(string Name, IReadOnlyList<string> Choices) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Categorical;

    public override int ChoiceCount => Choices.Count;
}

public sealed record OrdinalParameter(string Name, IReadOnlyList<string> Choices) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Ordinal;

    public override int ChoiceCount => Choices.Count;
}

public sealed record BooleanParameter(string Name) : Parameter(Name)
{
    public override ParameterKind Kind => ParameterKind.Boolean;

    public override int ChoiceCount => 2;
}

/// <summary>An immutable assignment of values to the active parameters of a space.</summary>
public sealed class Configuration : IEquatable<Configuration>
{
    public Configuration(IEnumerable<KeyValuePair<string, ParameterValue>> values) => throw new NotImplementedException();

    public IReadOnlyDictionary<string, ParameterValue> Values => throw new NotImplementedException();

    /// <summary>"name=value;..." sorted by ordinal name: the identity of a configuration across processes.</summary>
    public string ToCanonicalString() => throw new NotImplementedException();

    /// <summary>Stable 64-bit hash of the canonical string.</summary>
    public ulong Fingerprint => throw new NotImplementedException();

    public bool Contains(string name) => throw new NotImplementedException();

    public double GetDouble(string name) => throw new NotImplementedException();

    public long GetInt64(string name) => throw new NotImplementedException();

    public int GetInt32(string name) => throw new NotImplementedException();

    public bool GetBoolean(string name) => throw new NotImplementedException();

    public string GetString(string name) => throw new NotImplementedException();

    public bool Equals(Configuration? other) => throw new NotImplementedException();

    public override bool Equals(object? obj) => Equals(obj as Configuration);

    public override int GetHashCode() => throw new NotImplementedException();
}

public sealed class SearchSpaceException : Exception
{
    public SearchSpaceException(string message)
        : base(message)
    {
    }

    public SearchSpaceException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SearchSpaceException()
    {
    }
}

public sealed class SearchSpace
{
    /// <summary>Validates and orders the parameters (parents before children); throws SearchSpaceException.</summary>
    public static SearchSpace Create(IEnumerable<Parameter> parameters) => throw new NotImplementedException();

    /// <summary>In topological order (parents first, ties by ordinal name): the order of the encoding.</summary>
    public IReadOnlyList<Parameter> Parameters => throw new NotImplementedException();

    public int Dimension => Parameters.Count;

    public int IndexOf(string name) => throw new NotImplementedException();

    public bool IsActive(Parameter parameter, Configuration configuration) => throw new NotImplementedException();

    /// <summary>Uniform over the space: log-uniform for log scales, conditions respected.</summary>
    public Configuration Sample(Random random) => throw new NotImplementedException();

    /// <summary>To the unit cube, one entry per parameter in Parameters order; inactive parameters encode as NaN.</summary>
    public double[] Encode(Configuration configuration) => throw new NotImplementedException();

    /// <summary>From the unit cube; entries of parameters that turn out inactive are ignored (NaN allowed there).</summary>
    public Configuration Decode(ReadOnlySpan<double> encoded) => throw new NotImplementedException();

    /// <summary>Changes mutatedParameters active parameters: numbers by a Gaussian step of stdDev in unit space, choices by a different choice.</summary>
    public Configuration Mutate(Configuration configuration, Random random, int mutatedParameters, double stdDev) => throw new NotImplementedException();

    /// <summary>Throws SearchSpaceException when a value is missing, out of range, of the wrong kind, or set while inactive.</summary>
    public void Validate(Configuration configuration) => throw new NotImplementedException();
}
