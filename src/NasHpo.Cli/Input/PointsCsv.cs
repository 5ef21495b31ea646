using System.Globalization;

namespace NasHpo.Cli.Input;

/// <summary>
/// Reads objective vectors from a small CSV dialect: comma separated, cells trimmed, blank lines and lines starting
/// with '#' ignored, an optional header (a first row with any cell that is neither empty nor a number). Every
/// problem becomes a <see cref="UserErrorException"/> whose one-line message names the input and the line.
/// </summary>
internal static class PointsCsv
{
    /// <summary>The path that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>Reads a file, or standard input for "-".</summary>
    public static PointsTable Load(string path, TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(standardInput);
        if (path == StandardInput)
        {
            return Parse(standardInput, "stdin");
        }

        if (Directory.Exists(path))
        {
            throw new UserErrorException($"{path}: is a directory, not a file");
        }

        try
        {
            using var reader = File.OpenText(path);
            return Parse(reader, path);
        }
        catch (FileNotFoundException)
        {
            throw new UserErrorException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new UserErrorException($"{path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserErrorException($"{path}: permission denied");
        }
        catch (IOException e)
        {
            throw new UserErrorException($"{path}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>Parses a whole input; <paramref name="source"/> names it in messages.</summary>
    public static PointsTable Parse(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        string? headerText = null;
        var headerLineNumber = 0;
        IReadOnlyList<string>? columnNames = null;
        var width = -1;
        var rows = new List<PointRow>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var cells = trimmed.Split(',');
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = cells[i].Trim();
            }

            if (width < 0)
            {
                width = cells.Length;
                if (IsHeader(cells))
                {
                    headerText = line;
                    headerLineNumber = lineNumber;
                    columnNames = cells.Select(c => c.Trim('"')).ToArray();
                    continue;
                }
            }

            if (cells.Length != width)
            {
                throw new UserErrorException(
                    $"{source} line {lineNumber}: expected {width} {Plural(width, "value")}, found {cells.Length}");
            }

            var values = new double[width];
            for (var i = 0; i < width; i++)
            {
                values[i] = ParseCell(cells[i], $"{source} line {lineNumber}", ColumnLabel(i, columnNames));
            }

            rows.Add(new PointRow(lineNumber, line, values));
        }

        if (rows.Count == 0)
        {
            throw new UserErrorException(headerText is null
                ? $"{source}: no points (the input is empty)"
                : $"{source}: no points after the header on line {headerLineNumber}");
        }

        return new PointsTable(source, headerText, headerLineNumber, columnNames, rows);
    }

    /// <summary>
    /// Parses a comma-separated vector such as "1.1,11" given on the command line; <paramref name="what"/> names it
    /// in messages (e.g. "--ref").
    /// </summary>
    public static double[] ParseVector(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0)
        {
            throw new UserErrorException($"{what} is empty; expected comma-separated numbers such as 1.1,11");
        }

        var cells = text.Split(',');
        var values = new double[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            values[i] = ParseCell(cells[i].Trim(), what, FormattableString.Invariant($"value {i + 1}"));
        }

        return values;
    }

    private static bool IsHeader(string[] cells) => cells.Any(c => c.Length > 0 && !TryParseNumber(c, out _));

    private static double ParseCell(string cell, string where, string column)
    {
        if (cell.Length == 0)
        {
            throw new UserErrorException($"{where}: {column} is empty");
        }

        if (!TryParseNumber(cell, out var value))
        {
            throw new UserErrorException($"{where}: {column} is not a number: '{cell}'");
        }

        if (!double.IsFinite(value))
        {
            throw new UserErrorException($"{where}: {column} is not a finite number: '{cell}'");
        }

        return value;
    }

    // Invariant culture: "1,5" must never be read as one and a half because of the machine's locale.
    private static bool TryParseNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string ColumnLabel(int index, IReadOnlyList<string>? names)
    {
        var label = FormattableString.Invariant($"column {index + 1}");
        return names is not null && names[index].Length > 0 ? $"{label} ({names[index]})" : label;
    }

    private static string Plural(int count, string word) => count == 1 ? word : word + "s";
}
