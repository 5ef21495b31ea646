using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NasHpo.Training.Data;

/// <summary>
/// A NumPy array read from a <c>.npy</c> file: its shape (outermost first) and its values as single-precision floats
/// (what the networks train on; labels are small integers, exact in a float), in C order.
/// </summary>
internal sealed record NpyArray(IReadOnlyList<int> Shape, float[] Data, string DataType)
{
    public int Count => Shape.Count == 0 ? 1 : Shape[0];
}

/// <summary>
/// Reads NumPy's <c>.npy</c> format (versions 1 to 3): the magic <c>\x93NUMPY</c>, a version, the length of a
/// header that is a Python dict literal (<c>descr</c>, <c>fortran_order</c>, <c>shape</c>), then the raw values. The
/// element types images and labels come in are supported (<c>u1</c>, <c>i4</c>, <c>i8</c>, <c>f4</c>, <c>f8</c>, either
/// byte order), in C order; anything else is refused in one line that names the file.
/// </summary>
internal static partial class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <param name="stream">The .npy bytes; left open.</param>
    /// <param name="name">Names the source in error messages.</param>
    public static NpyArray Read(Stream stream, string name)
    {
        var prefix = new byte[8];
        if (ReadUpTo(stream, prefix) < 8 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw Malformed(name, "it does not start with the .npy magic \\x93NUMPY");
        }

        var major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var length = new byte[2];
            headerLength = ReadUpTo(stream, length) == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(length) : -1;
        }
        else if (major is 2 or 3)
        {
            var length = new byte[4];
            headerLength = ReadUpTo(stream, length) == 4 ? (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(length), int.MaxValue) : -1;
        }
        else
        {
            throw Malformed(name, $"its format version is {major}.{prefix[7]}; versions 1 to 3 are supported");
        }

        if (headerLength is < 0 or > 1 << 20)
        {
            throw Malformed(name, "its header length is missing or implausible");
        }

        var headerBytes = new byte[headerLength];
        if (ReadUpTo(stream, headerBytes) < headerLength)
        {
            throw Malformed(name, "it ends inside its header");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (type, fortran, shape) = ParseHeader(header, name);
        if (fortran)
        {
            throw Malformed(name, "it is stored in Fortran order; save it in C order (numpy.ascontiguousarray) first");
        }

        var (size, little, convert) = Element(type, name);
        long total = 1;
        foreach (var dimension in shape)
        {
            total *= dimension;
            if (total * size > Array.MaxLength)
            {
                throw Malformed(name, "its declared size exceeds what one array can hold");
            }
        }

        var raw = new byte[total * size];
        var read = ReadUpTo(stream, raw);
        if (read < raw.Length)
        {
            throw Malformed(name, string.Create(CultureInfo.InvariantCulture, $"it holds {read / size} values where its shape ({Show(shape)}) declares {total}"));
        }

        if (stream.ReadByte() >= 0)
        {
            throw Malformed(name, $"it has bytes after the {total} values its shape ({Show(shape)}) declares");
        }

        var data = new float[total];
        for (long i = 0; i < total; i++)
        {
            data[i] = (float)convert(raw.AsSpan((int)(i * size), size), little);
        }

        return new NpyArray(shape, data, type);
    }

    internal static string Show(IReadOnlyList<int> shape) => shape.Count == 0 ? "a scalar" : string.Join(" x ", shape);

    private static (string Type, bool Fortran, int[] Shape) ParseHeader(string header, string name)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw Malformed(name, $"its header is not a dict with descr, fortran_order and shape: {header.Trim()}");
        }

        var dimensions = shape.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => int.TryParse(text.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw Malformed(name, $"its shape ({shape.Groups[1].Value}) is not a tuple of sizes"))
            .ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dimensions);
    }

    /// <summary>Bytes per value, whether they are little-endian, and how one becomes a double.</summary>
    private static (int Size, bool Little, Func<ReadOnlySpan<byte>, bool, double> Convert) Element(string type, string name)
    {
        // '|' (not applicable) for single bytes, '<' little-, '>' big-endian, '=' the writer's order (little on every
        // platform NumPy is used on today).
        var order = type.Length > 0 ? type[0] : ' ';
        var code = order is '<' or '>' or '|' or '=' ? type[1..] : type;
        var little = order != '>';
        return code switch
        {
            "u1" => (1, little, (bytes, _) => bytes[0]),
            "i4" => (4, little, (bytes, l) => l ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt32BigEndian(bytes)),
            "i8" => (8, little, (bytes, l) => l ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt64BigEndian(bytes)),
            "f4" => (4, little, (bytes, l) => l ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes)),
            "f8" => (8, little, (bytes, l) => l ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes)),
            _ => throw Malformed(name, $"its element type '{type}' is not supported (u1, i4, i8, f4 or f8)"),
        };
    }

    private static int ReadUpTo(Stream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static InvalidDataException Malformed(string name, string why) => new($"'{name}' is not a .npy array this engine reads: {why}");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
