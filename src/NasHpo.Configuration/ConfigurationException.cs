namespace NasHpo.Configuration;

/// <summary>A study file error: one line, "path: what is wrong", where path is the HOCON path or a text location.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
        Path = string.Empty;
        Detail = Message;
    }

    public ConfigurationException(string message)
        : base(message)
    {
        Path = string.Empty;
        Detail = message;
    }

    public ConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
        Path = string.Empty;
        Detail = message;
    }

    public ConfigurationException(string path, string detail)
        : base($"{path}: {detail}")
    {
        Path = path;
        Detail = detail;
    }

    public ConfigurationException(string path, string detail, Exception inner)
        : base($"{path}: {detail}", inner)
    {
        Path = path;
        Detail = detail;
    }

    /// <summary>The HOCON path at fault (e.g. "study.search-space.lr.lower"), or "source:line:column" for syntax errors.</summary>
    public string Path { get; }

    /// <summary>The message without its path.</summary>
    public string Detail { get; }
}
