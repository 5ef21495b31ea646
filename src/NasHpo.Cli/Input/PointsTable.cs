namespace NasHpo.Cli.Input;

/// <summary>One data row of a points file: where it was, its text as written, and its values.</summary>
internal sealed record PointRow(int LineNumber, string Text, double[] Values);

/// <summary>A parsed points file: an optional header and at least one row, all rows of the same width.</summary>
internal sealed class PointsTable
{
    public PointsTable(string source, string? headerText, int headerLineNumber, IReadOnlyList<string>? columnNames, IReadOnlyList<PointRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("a points table has at least one row", nameof(rows));
        }

        Source = source;
        HeaderText = headerText;
        HeaderLineNumber = headerLineNumber;
        ColumnNames = columnNames;
        Rows = rows;
        Points = rows.Select(r => r.Values).ToArray();
    }

    /// <summary>How messages name the input: the path as given, or "stdin".</summary>
    public string Source { get; }

    /// <summary>The header line exactly as written, or null when the file has none.</summary>
    public string? HeaderText { get; }

    /// <summary>The line number of the header, or 0 when there is none.</summary>
    public int HeaderLineNumber { get; }

    public IReadOnlyList<string>? ColumnNames { get; }

    public IReadOnlyList<PointRow> Rows { get; }

    /// <summary>The values of every row, aligned with <see cref="Rows"/>.</summary>
    public IReadOnlyList<double[]> Points { get; }

    public int ColumnCount => Rows[0].Values.Length;

    /// <summary>The line that fixed the number of columns: the header if there is one, else the first row.</summary>
    public int WidthLineNumber => HeaderText is null ? Rows[0].LineNumber : HeaderLineNumber;
}
