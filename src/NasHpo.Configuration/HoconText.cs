using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace NasHpo.Configuration;

/// <summary>Parses HOCON text, turning every syntax problem into a one-line ConfigurationException with a line and column.</summary>
public static partial class HoconText
{
    /// <summary>Parses text; source names it in error locations (a file name, "--set", ...).</summary>
    public static Config Parse(string text, string source = "hocon")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);

        // Akka's parser accepts some unbalanced text silently and loops forever on an unterminated list, so the
        // structure is checked here first.
        CheckStructure(text, source);
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or ArgumentException
            or Akka.Configuration.ConfigurationException)
        {
            var firstLine = error.Message.Split('\n', 2)[0].Trim();
            var match = PositionPattern().Match(firstLine);
            if (match.Success && int.TryParse(match.Groups["position"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var position))
            {
                var (line, column) = LineAndColumn(text, position);
                var detail = firstLine[..match.Index].Trim().TrimEnd(':');
                throw new ConfigurationException($"{source}:{line}:{column}", ToLowerFirst(detail), error);
            }

            throw new ConfigurationException(source, ToLowerFirst(firstLine.TrimEnd(':', ' ')), error);
        }
    }

    /// <summary>Reads and parses a file; errors name the file by its file name.</summary>
    public static Config ParseFile(string filePath)
    {
        ArgumentNullException.ThrowIfNull(filePath);
        string text;
        try
        {
            text = File.ReadAllText(filePath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(filePath, $"cannot be read ({error.Message.Split('\n', 2)[0].Trim()})", error);
        }

        return Parse(text, Path.GetFileName(filePath));
    }

    [GeneratedRegex(@"\s*at position (?<position>\d+)")]
    private static partial Regex PositionPattern();

    private static string ToLowerFirst(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static (int Line, int Column) LineAndColumn(string text, int position)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < Math.Min(position, text.Length); i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    private static void CheckStructure(string text, string source)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        var line = 1;
        var column = 1;
        var i = 0;

        void Advance(int count)
        {
            for (var k = 0; k < count && i < text.Length; k++, i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
        }

        ConfigurationException Error(int atLine, int atColumn, string detail) => new($"{source}:{atLine}:{atColumn}", detail);

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    Advance(1);
                }

                continue;
            }

            if (c == '"')
            {
                var (startLine, startColumn) = (line, column);
                if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw Error(startLine, startColumn, "unterminated \"\"\" string");
                    }

                    Advance(end + 3 - i);
                    continue;
                }

                Advance(1);
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        throw Error(startLine, startColumn, "unterminated string");
                    }

                    if (text[i] == '\\')
                    {
                        Advance(2);
                        continue;
                    }

                    if (text[i] == '"')
                    {
                        Advance(1);
                        break;
                    }

                    Advance(1);
                }

                continue;
            }

            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line, column));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        throw Error(line, column, $"unexpected '{c}' (nothing to close)");
                    }

                    var top = open.Pop();
                    if (top.Bracket != expected)
                    {
                        throw Error(line, column, $"'{c}' does not match '{top.Bracket}' opened at line {top.Line}, column {top.Column}");
                    }

                    break;
            }

            Advance(1);
        }

        if (open.Count > 0)
        {
            var top = open.Pop();
            throw Error(top.Line, top.Column, $"'{top.Bracket}' is never closed");
        }
    }
}
