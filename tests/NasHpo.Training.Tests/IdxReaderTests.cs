using NasHpo.Training.Data;

namespace NasHpo.Training.Tests;

public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_dimensions_and_values_plain_or_gzip(bool gzip)
    {
        using var files = new IdxFiles();
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var path = files.Write("array", IdxFiles.Encode([2, 3, 4], data), gzip);

        var array = IdxReader.Read(path);

        Assert.Equal(new[] { 2, 3, 4 }, array.Dimensions);
        Assert.Equal(2, array.Count);
        Assert.Equal(12, array.ItemLength);
        Assert.Equal(data, array.Data);
    }

    [Fact]
    public void Reads_a_vector_of_labels()
    {
        var array = IdxReader.Read(new MemoryStream(IdxFiles.Encode([3], [7, 8, 9])), "labels");

        Assert.Equal(new[] { 3 }, array.Dimensions);
        Assert.Equal(1, array.ItemLength);
        Assert.Equal(new byte[] { 7, 8, 9 }, array.Data);
    }

    [Fact]
    public void A_wrong_magic_is_named()
    {
        var bytes = IdxFiles.Encode([1], [0]);
        bytes[0] = 0x50;

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), "weird.idx"));

        Assert.Contains("'weird.idx' is not a valid IDX file", error.Message, StringComparison.Ordinal);
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_element_type_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(IdxFiles.Encode([1], [0], type: 0x0D)), "floats"));

        Assert.Contains("element type is 0x0d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_says_how_many_values_are_missing()
    {
        var bytes = IdxFiles.Encode([2, 2], [1, 2, 3, 4]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes[..^1]), "short"));

        Assert.Contains("holds 3 values where its header (2 x 2) declares 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        byte[] bytes = [.. IdxFiles.Encode([2], [1, 2]), 3];

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), "long"));

        Assert.Contains("bytes after the 2 values", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0 })]
    public void A_header_cut_short_is_an_error(byte[] bytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), "stub"));

        Assert.Contains("'stub' is not a valid IDX file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_or_too_many_dimensions_are_errors()
    {
        Assert.Contains("0 dimensions", Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([0, 0, 8, 0]), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("9 dimensions", Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([0, 0, 8, 9]), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("dimension 0 has size 0", Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(IdxFiles.Encode([0], [])), "x")).Message, StringComparison.Ordinal);
    }
}
