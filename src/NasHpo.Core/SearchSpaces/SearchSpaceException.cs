namespace NasHpo.Core.SearchSpaces;

internal sealed class SearchSpaceException : Exception
{
    public SearchSpaceException(string message)
        : base(message)
    {
        Detail = message;
    }

    public SearchSpaceException(string message, Exception inner)
        : base(message, inner)
    {
        Detail = message;
    }

    public SearchSpaceException()
    {
        Detail = Message;
    }

    /// <summary>
    /// An error about one parameter. Message is "parameter 'name' field: detail"; readers of study files use
    /// ParameterName, Field and Detail to point at their own location instead.
    /// </summary>
    public SearchSpaceException(string detail, string? parameterName, string? field)
        : base(Format(detail, parameterName, field))
    {
        Detail = detail;
        ParameterName = parameterName;
        Field = field;
    }

    /// <summary>The parameter at fault, when there is one.</summary>
    public string? ParameterName { get; }

    /// <summary>The part of the parameter at fault: "name", "lower", "upper", "choices", "conditions" or "value".</summary>
    public string? Field { get; }

    /// <summary>The message without the parameter and field that prefix it.</summary>
    public string Detail { get; }

    private static string Format(string detail, string? parameterName, string? field) => (parameterName, field) switch
    {
        (null, null) => detail,
        (null, _) => $"{field}: {detail}",
        (_, null) => $"parameter '{parameterName}': {detail}",
        _ => $"parameter '{parameterName}' {field}: {detail}",
    };
}
