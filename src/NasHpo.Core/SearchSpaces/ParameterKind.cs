namespace NasHpo.Core.SearchSpaces;

public enum ParameterKind
{
    Float,
    Integer,
    Categorical,
    Ordinal,
    Boolean,
}
