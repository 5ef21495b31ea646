using System.Buffers.Binary;
using System.IO.Compression;
using NasHpo.Training.Data;

namespace NasHpo.Training.Tests;

/// <summary>Writes small IDX files, and Fashion-MNIST-shaped folders of them, into a temporary directory.</summary>
internal sealed class IdxFiles : IDisposable
{
    public IdxFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "nashpo-idx-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static byte[] Encode(int[] dimensions, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    public string Write(string name, byte[] bytes, bool gzip)
    {
        var path = Path.Combine(Directory, gzip ? name + ".gz" : name);
        using var file = File.Create(path);
        if (gzip)
        {
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        else
        {
            file.Write(bytes);
        }

        return path;
    }

    /// <summary>
    /// A Fashion-MNIST folder with <paramref name="train"/> and <paramref name="test"/> images whose class is
    /// readable from the image: class k lights up horizontal band k (so even a tiny network can learn it).
    /// </summary>
    public void WriteFashionMnist(int train, int test, bool gzip = true)
    {
        foreach (var (images, labels, count) in new[]
                 {
                     (FashionMnist.TrainImages, FashionMnist.TrainLabels, train),
                     (FashionMnist.TestImages, FashionMnist.TestLabels, test),
                 })
        {
            var pixels = new byte[count * 28 * 28];
            var classes = new byte[count];
            var random = new Random(count);
            for (var i = 0; i < count; i++)
            {
                var label = i % FashionMnist.Classes;
                classes[i] = (byte)label;
                for (var p = 0; p < 28 * 28; p++)
                {
                    var row = p / 28;
                    var band = row * FashionMnist.Classes / 28;
                    pixels[(i * 28 * 28) + p] = (byte)(band == label ? 200 + random.Next(56) : random.Next(40));
                }
            }

            Write(images, Encode([count, 28, 28], pixels), gzip);
            Write(labels, Encode([count], classes), gzip);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
