using System.Buffers.Binary;
using System.IO.Compression;

namespace NasHpo.Training.Data;

/// <summary>An IDX array of unsigned bytes: its dimensions (outermost first) and its values in row-major order.</summary>
internal sealed record IdxArray(IReadOnlyList<int> Dimensions, byte[] Data)
{
    /// <summary>Values per item: the product of every dimension but the first (1 for a vector of labels).</summary>
    public int ItemLength => Dimensions.Skip(1).Aggregate(1, (product, d) => product * d);

    public int Count => Dimensions[0];
}

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte, the number of dimensions, each
/// dimension as a big-endian 32-bit integer, then the values. Gzip-compressed files are recognised by their magic
/// bytes, whatever their name. Only unsigned bytes (type 0x08), the type of images and labels, are supported.
/// </summary>
internal static class IdxReader
{
    private const byte UnsignedByteType = 0x08;
    private const int MaxDimensions = 4;

    public static IdxArray Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <param name="stream">The IDX bytes, plain or gzip-compressed; left open.</param>
    /// <param name="name">Names the source in error messages.</param>
    public static IdxArray Read(Stream stream, string name)
    {
        var buffered = new BufferedStream(stream);
        var magic = new byte[2];
        var got = ReadUpTo(buffered, magic);
        Stream body = new PrefixedStream(magic.AsMemory(0, got), buffered);
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using (body)
        {
            return ReadPlain(body, name);
        }
    }

    private static IdxArray ReadPlain(Stream stream, string name)
    {
        var header = new byte[4];
        if (ReadUpTo(stream, header) < 4)
        {
            throw Malformed(name, "it is shorter than the 4-byte IDX header");
        }

        if (header[0] != 0 || header[1] != 0)
        {
            throw Malformed(name, $"its first two bytes are 0x{header[0]:x2} 0x{header[1]:x2}, not the IDX magic 0x00 0x00");
        }

        if (header[2] != UnsignedByteType)
        {
            throw Malformed(name, $"its element type is 0x{header[2]:x2}; only unsigned bytes (0x08) are supported");
        }

        var rank = (int)header[3];
        if (rank is < 1 or > MaxDimensions)
        {
            throw Malformed(name, $"it declares {rank} dimensions; 1 to {MaxDimensions} are supported");
        }

        var dimensionBytes = new byte[4 * rank];
        if (ReadUpTo(stream, dimensionBytes) < dimensionBytes.Length)
        {
            throw Malformed(name, $"it ends inside the sizes of its {rank} dimensions");
        }

        var dimensions = new int[rank];
        long total = 1;
        for (var i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes.AsSpan(4 * i));
            if (dimensions[i] <= 0)
            {
                throw Malformed(name, $"dimension {i} has size {dimensions[i]}");
            }

            total *= dimensions[i];
            if (total > Array.MaxLength)
            {
                throw Malformed(name, "its declared size exceeds what one array can hold");
            }
        }

        var data = new byte[total];
        var read = ReadUpTo(stream, data);
        if (read < total)
        {
            throw Malformed(name, $"it holds {read} values where its header ({string.Join(" x ", dimensions)}) declares {total}");
        }

        if (stream.ReadByte() >= 0)
        {
            throw Malformed(name, $"it has bytes after the {total} values its header ({string.Join(" x ", dimensions)}) declares");
        }

        return new IdxArray(dimensions, data);
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

    private static InvalidDataException Malformed(string name, string why) => new($"'{name}' is not a valid IDX file: {why}");

    /// <summary>
    /// A stream that yields some already-read bytes before the rest of another stream, which it leaves open: the
    /// magic bytes are sniffed without needing a seekable source.
    /// </summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
