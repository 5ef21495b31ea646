using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;

namespace NasHpo.Configuration.Tabular;

/// <summary>The first line of a table file: how it was made and over which space.</summary>
/// <param name="SpaceHocon">The search space as HOCON (a top-level <c>search-space</c> object), as the generator read it.</param>
internal sealed record TabularHeader(int MaxEpoch, IReadOnlyDictionary<string, string> Settings, string SpaceHocon)
{
    public const string Format = "nashpo-tabular";

    public const int Version = 1;
}

/// <summary>
/// A tabular benchmark on disk: gzip'd JSON lines (<c>.jsonl.gz</c>). Line 1 is the header
/// (<c>{"format":"nashpo-tabular","version":1,"max-epoch":9,"settings":{...},"space":"search-space { ... }"}</c>);
/// every further line is one training run
/// (<c>{"config":{"conv_layers":2,"filters":"32",...},"seed":0,"fixed":{"params":...},"curves":{"val-error":[...],...},"diverged":5}</c>,
/// <c>diverged</c> only when training diverged). Choices are JSON strings, integers and booleans (0/1) JSON numbers.
/// The same lines, uncompressed, make the generator's resumable work file.
/// </summary>
internal static class TabularTableFile
{
    private static readonly ConcurrentDictionary<string, (DateTime Written, long Length, TabularTable Table)> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads a table (cached per file while it is unchanged: a study's definition is read again by every command that
    /// shows it). Errors are <see cref="ConfigurationException"/>s naming <paramref name="hoconPath"/> and the file.
    /// </summary>
    public static TabularTable Read(string file, string hoconPath)
    {
        ArgumentNullException.ThrowIfNull(file);
        FileInfo info;
        try
        {
            info = new FileInfo(file);
            if (!info.Exists)
            {
                throw new ConfigurationException(hoconPath, $"no table at {file}");
            }

            if (Cache.TryGetValue(info.FullName, out var cached) && cached.Written == info.LastWriteTimeUtc && cached.Length == info.Length)
            {
                return cached.Table;
            }

            using var stream = File.OpenRead(file);
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            var table = Parse(ReadLines(reader), file);
            Cache[info.FullName] = (info.LastWriteTimeUtc, info.Length, table);
            return table;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ConfigurationException(hoconPath, $"cannot read the table {file}: {error.Message}");
        }
        catch (FormatException error)
        {
            throw new ConfigurationException(hoconPath, $"{file}: {error.Message}");
        }
    }

    /// <summary>Writes a table (header, then one line per run) to a gzip'd file, replacing it atomically.</summary>
    public static void Write(string file, TabularHeader header, IEnumerable<TabularRun> runs)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(runs);
        var temporary = file + ".tmp";
        using (var stream = File.Create(temporary))
        using (var gzip = new GZipStream(stream, CompressionLevel.SmallestSize))
        using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            writer.Write(HeaderLine(header));
            writer.Write('\n');
            foreach (var run in runs)
            {
                writer.Write(RunLine(run));
                writer.Write('\n');
            }
        }

        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>
    /// A table from its lines (header first). A line that does not parse is a <see cref="FormatException"/> naming its
    /// number; a last line cut short is the caller's to drop (<see cref="ReadWorkFile"/> does).
    /// </summary>
    public static TabularTable Parse(IEnumerable<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        TabularHeader? header = null;
        SearchSpace? space = null;
        var runs = new List<TabularRun>();
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (header is null)
            {
                header = ParseHeader(line, source);
                space = SpaceOf(header, source);
                continue;
            }

            runs.Add(ParseRun(line, $"{source} line {number}"));
        }

        if (header is null)
        {
            throw new FormatException("empty (a table starts with its header line)");
        }

        try
        {
            return new TabularTable(space!, header.MaxEpoch, header.Settings, runs);
        }
        catch (Exception error) when (error is ArgumentException or SearchSpaceException)
        {
            throw new FormatException(error.Message, error);
        }
    }

    /// <summary>The search space a header carries.</summary>
    public static SearchSpace SpaceOf(TabularHeader header, string source)
    {
        ArgumentNullException.ThrowIfNull(header);
        try
        {
            return SearchSpaceReader.Read(HoconText.Parse(header.SpaceHocon, source + " (header space)"), "search-space");
        }
        catch (ConfigurationException error)
        {
            throw new FormatException($"the header's space: {error.Message}", error);
        }
    }

    public static string HeaderLine(TabularHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("format", TabularHeader.Format);
            writer.WriteNumber("version", TabularHeader.Version);
            writer.WriteNumber("max-epoch", header.MaxEpoch);
            writer.WriteStartObject("settings");
            foreach (var (key, value) in header.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteString("space", header.SpaceHocon);
            writer.WriteEndObject();
        });
    }

    public static string RunLine(TabularRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("config");
            foreach (var (name, value) in run.Configuration.Values)
            {
                if (value.Text is { } text)
                {
                    writer.WriteString(name, text);
                }
                else
                {
                    WriteNumber(writer, name, value.Number);
                }
            }

            writer.WriteEndObject();
            writer.WriteNumber("seed", run.Seed);
            writer.WriteStartObject("fixed");
            foreach (var (name, value) in run.Fixed.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                WriteNumber(writer, name, value);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("curves");
            foreach (var (name, curve) in run.Curves.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray(name);
                foreach (var value in curve)
                {
                    writer.WriteRawValue(Number(value));
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            if (run.DivergedAtEpoch is { } diverged)
            {
                writer.WriteNumber("diverged", diverged);
            }

            writer.WriteEndObject();
        });
    }

    public static TabularHeader ParseHeader(string line, string source)
    {
        using var document = Document(line, $"{source} line 1");
        var root = document.RootElement;
        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != TabularHeader.Format)
        {
            throw new FormatException($"not a table: its first line has no \"format\": \"{TabularHeader.Format}\"");
        }

        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != TabularHeader.Version)
        {
            throw new FormatException($"table format version {(root.TryGetProperty("version", out var v) ? v.ToString() : "missing")}; this build reads version {TabularHeader.Version}");
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("settings", out var settingsElement) && settingsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in settingsElement.EnumerateObject())
            {
                settings[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return new TabularHeader(
            root.TryGetProperty("max-epoch", out var epochs) && epochs.ValueKind == JsonValueKind.Number && epochs.GetInt32() >= 1
                ? epochs.GetInt32()
                : throw new FormatException("the header has no positive \"max-epoch\""),
            settings,
            root.TryGetProperty("space", out var space) && space.ValueKind == JsonValueKind.String
                ? space.GetString()!
                : throw new FormatException("the header has no \"space\""));
    }

    public static TabularRun ParseRun(string line, string where)
    {
        using var document = Document(line, where);
        var root = document.RootElement;
        var values = new List<KeyValuePair<string, ParameterValue>>();
        foreach (var property in Property(root, "config", JsonValueKind.Object, where).EnumerateObject())
        {
            values.Add(new KeyValuePair<string, ParameterValue>(property.Name, property.Value.ValueKind switch
            {
                JsonValueKind.String => ParameterValue.Of(property.Value.GetString()!),
                JsonValueKind.Number => ParameterValue.Of(property.Value.GetDouble()),
                _ => throw new FormatException($"{where}: config.{property.Name} is neither a number nor a string"),
            }));
        }

        var fixedValues = Property(root, "fixed", JsonValueKind.Object, where).EnumerateObject()
            .ToDictionary(p => p.Name, p => NumberOf(p.Value, $"{where}: fixed.{p.Name}"), StringComparer.Ordinal);
        var curves = Property(root, "curves", JsonValueKind.Object, where).EnumerateObject()
            .ToDictionary(
                p => p.Name,
                p => (IReadOnlyList<double>)(p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.EnumerateArray().Select(v => NumberOf(v, $"{where}: curves.{p.Name}")).ToArray()
                    : throw new FormatException($"{where}: curves.{p.Name} is not a list")),
                StringComparer.Ordinal);
        var seed = Property(root, "seed", JsonValueKind.Number, where).GetInt32();
        int? diverged = root.TryGetProperty("diverged", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
        return new TabularRun(new Core.SearchSpaces.Configuration(values), seed, fixedValues, curves, diverged);
    }

    /// <summary>
    /// The lines of an uncompressed work file: its header and every complete run line. A last line cut short by a kill
    /// is dropped (it is trained again), as is anything after it.
    /// </summary>
    public static (TabularHeader Header, IReadOnlyList<TabularRun> Runs)? ReadWorkFile(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var text = File.ReadAllText(file);
        var lines = text.Split('\n');
        // Only lines followed by a newline are whole.
        var whole = lines.Take(lines.Length - 1).ToArray();
        if (whole.Length == 0)
        {
            return null;
        }

        var header = ParseHeader(whole[0], file);
        var runs = new List<TabularRun>();
        for (var i = 1; i < whole.Length; i++)
        {
            if (whole[i].Length > 0)
            {
                runs.Add(ParseRun(whole[i], $"{file} line {i + 1}"));
            }
        }

        return (header, runs);
    }

    private static IEnumerable<string> ReadLines(StreamReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static JsonDocument Document(string line, string where)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException error)
        {
            throw new FormatException($"{where}: not JSON ({error.Message})", error);
        }
    }

    private static JsonElement Property(JsonElement root, string name, JsonValueKind kind, string where) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new FormatException($"{where}: no \"{name}\" {kind.ToString().ToLowerInvariant()}");

    private static double NumberOf(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{where} is not a finite number");

    private static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(Number(value));
    }

    /// <summary>Shortest round-trip text; integers without decimals.</summary>
    private static string Number(double value) =>
        !double.IsFinite(value) ? throw new ArgumentException($"{value} cannot be stored in a table")
        : double.IsInteger(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps the space's HOCON (">=", quotes aside) readable in the file.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
