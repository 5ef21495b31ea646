using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using SkiaSharp;

namespace NasHpo.Training.Tests;

/// <summary>Writes image folders (PNG, JPEG, drawn with SkiaSharp) and .npy files into a temporary directory.</summary>
internal sealed class ImageFiles : IDisposable
{
    public static readonly string[] ShapeClasses = ["circle", "square", "triangle"];

    public ImageFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "nashpo-images-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// Three classes of coloured shapes (a circle, a square, a triangle) of random colour, size and place on a random
    /// dark background, every third image a JPEG, the rest PNG: <paramref name="perClass"/> images per class.
    /// </summary>
    public string WriteShapes(string folder, int perClass, int size, int seed)
    {
        var random = new Random(seed);
        var root = PathOf(folder);
        for (var c = 0; c < ShapeClasses.Length; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, ShapeClasses[c]));
            for (var i = 0; i < perClass; i++)
            {
                using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
                var canvas = surface.Canvas;
                canvas.Clear(new SKColor((byte)random.Next(0, 60), (byte)random.Next(0, 60), (byte)random.Next(0, 60)));
                using var paint = new SKPaint
                {
                    Color = new SKColor((byte)random.Next(120, 256), (byte)random.Next(120, 256), (byte)random.Next(120, 256)),
                    IsAntialias = true,
                    Style = SKPaintStyle.Fill,
                };
                var r = size * (0.2f + (0.15f * (float)random.NextDouble()));
                var cx = r + ((float)random.NextDouble() * (size - (2 * r)));
                var cy = r + ((float)random.NextDouble() * (size - (2 * r)));
                switch (c)
                {
                    case 0:
                        canvas.DrawCircle(cx, cy, r, paint);
                        break;
                    case 1:
                        canvas.DrawRect(cx - r, cy - r, 2 * r, 2 * r, paint);
                        break;
                    default:
                        using (var path = new SKPath())
                        {
                            path.MoveTo(cx, cy - r);
                            path.LineTo(cx + r, cy + r);
                            path.LineTo(cx - r, cy + r);
                            path.Close();
                            canvas.DrawPath(path, paint);
                        }

                        break;
                }

                using var image = surface.Snapshot();
                var jpeg = i % 3 == 2;
                using var data = image.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
                File.WriteAllBytes(Path.Combine(root, ShapeClasses[c], string.Create(CultureInfo.InvariantCulture, $"{i:D4}.{(jpeg ? "jpg" : "png")}")), data.ToArray());
            }
        }

        return root;
    }

    /// <summary>A grey 8-bit PNG of the given pixels (row-major, width x height).</summary>
    public static byte[] GreyPng(byte[] pixels, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A .npy file (version 1.0) with the given header fields and raw value bytes.</summary>
    public static byte[] Npy(string descr, int[] shape, byte[] values, bool fortran = false)
    {
        var tuple = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {tuple}, }}";
        // NumPy pads the header with spaces and a newline so the values start on a multiple of 64 bytes.
        var total = 10 + header.Length + 1;
        header += new string(' ', (64 - (total % 64)) % 64) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add(1);
        bytes.Add(0);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(values);
        return bytes.ToArray();
    }

    public static byte[] Float32(IEnumerable<float> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Float64(IEnumerable<double> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Int64(IEnumerable<long> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
