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
        : base(OneLine(message))
    {
        Path = string.Empty;
        Detail = OneLine(message);
    }

    public ConfigurationException(string message, Exception inner)
        : base(OneLine(message), inner)
    {
        Path = string.Empty;
        Detail = OneLine(message);
    }

    public ConfigurationException(string path, string detail)
        : base($"{OneLine(path)}: {OneLine(detail)}")
    {
        Path = OneLine(path);
        Detail = OneLine(detail);
    }

    public ConfigurationException(string path, string detail, Exception inner)
        : base($"{OneLine(path)}: {OneLine(detail)}", inner)
    {
        Path = OneLine(path);
        Detail = OneLine(detail);
    }

    /// <summary>The HOCON path at fault (e.g. "study.search-space.lr.lower"), or "source:line:column" for syntax errors.</summary>
    public string Path { get; }

    /// <summary>The message without its path.</summary>
    public string Detail { get; }

    /// <summary>
    /// The error is one line whatever the study holds: a key or value quoted into the message may span lines (HOCON
    /// lets an unquoted key run on across a line break), so line breaks are shown escaped.
    /// </summary>
    private static string OneLine(string text) =>
        text.Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
