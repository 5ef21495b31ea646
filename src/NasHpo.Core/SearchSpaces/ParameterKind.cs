namespace NasHpo.Core.SearchSpaces;

internal enum ParameterKind
{
    Float,
    Integer,
    Categorical,
    Ordinal,
    Boolean,
}
