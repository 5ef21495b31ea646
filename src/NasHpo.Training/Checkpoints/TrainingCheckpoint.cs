using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasHpo.Training.Checkpoints;

/// <summary>
/// Where a trial's training stands, as a checkpoint records it. The position is counted in batches, not epochs, so a
/// fractional budget (1.5 epochs) stops, and a continuation resumes, in the middle of an epoch exactly where a run
/// that trained straight through would be at that moment.
/// </summary>
/// <param name="Fingerprint">The configuration the weights belong to (<c>Configuration.Fingerprint</c>).</param>
/// <param name="Seed">The trial's seed: weight initialisation and each epoch's data order derive from it.</param>
/// <param name="BatchesDone">Optimizer steps taken since the weights were initialised.</param>
/// <param name="BatchesPerEpoch">Batches of one full pass over the training set.</param>
/// <param name="BatchSize">Images per batch.</param>
/// <param name="TrainingImages">Size of the training set the batches were drawn from.</param>
/// <param name="LastLoss">Mean training loss of the last (possibly partial) epoch trained.</param>
internal sealed record TrainingPosition(
    ulong Fingerprint,
    ulong Seed,
    long BatchesDone,
    int BatchesPerEpoch,
    int BatchSize,
    int TrainingImages,
    double LastLoss)
{
    /// <summary>Epochs completed, fractional where the last epoch was cut short by a fractional budget.</summary>
    public double EpochsDone => (double)BatchesDone / BatchesPerEpoch;
}

/// <summary>
/// The checkpoint file of one trial: its <see cref="TrainingPosition"/>, the model's state (parameters and buffers such
/// as batch-norm statistics) and the Adam optimizer's state (step counts and moment estimates).
/// </summary>
/// <remarks>
/// Layout: the magic bytes <c>NHPOCKPT</c>, the format version (int32), the payload length (int64), the SHA-256 of the
/// payload, then the payload: the position, the module in TorchSharp's <c>Module.save</c> format, the optimizer in its
/// <c>save_state_dict</c> format. The length and hash make a truncated or damaged file fail with a clear message before
/// any tensor is touched. Files are written to a temporary file in the same directory and moved over the old one, so a
/// reader (or a process restarted after kill -9) sees either the previous checkpoint or the new one, never a torn one.
/// </remarks>
internal static class TrainingCheckpoint
{
    /// <summary>The version this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    private const string TemporarySuffix = ".tmp";

    private static readonly byte[] Magic = "NHPOCKPT"u8.ToArray();

    private static readonly int HeaderLength = Magic.Length + sizeof(int) + sizeof(long) + SHA256.HashSizeInBytes;

    /// <summary>Writes the checkpoint atomically: a temporary file in the same directory, flushed, then moved over <paramref name="path"/>.</summary>
    public static void Write(string path, TrainingPosition position, nn.Module module, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);

        byte[] payload;
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(position.Fingerprint);
                writer.Write(position.Seed);
                writer.Write(position.BatchesDone);
                writer.Write(position.BatchesPerEpoch);
                writer.Write(position.BatchSize);
                writer.Write(position.TrainingImages);
                writer.Write(position.LastLoss);
                module.save(writer);
                optimizer.save_state_dict(writer);
            }

            payload = buffer.ToArray();
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // The same directory keeps the move a rename within one file system, which is what makes it atomic.
        var temporary = Path.Combine(directory, $"{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(Magic);
                Span<byte> numbers = stackalloc byte[sizeof(int) + sizeof(long)];
                BinaryPrimitives.WriteInt32LittleEndian(numbers, FormatVersion);
                BinaryPrimitives.WriteInt64LittleEndian(numbers[sizeof(int)..], payload.Length);
                file.Write(numbers);
                file.Write(SHA256.HashData(payload));
                file.Write(payload);
                // On disk before the rename: otherwise a power loss could leave the new name pointing at missing data.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Reads and checks a checkpoint's position without loading any tensors.</summary>
    public static TrainingPosition ReadPosition(string path) => ReadPosition(path, Load(path), out _);

    /// <summary>
    /// Restores <paramref name="module"/> and <paramref name="optimizer"/> (freshly built for the same configuration)
    /// from the checkpoint, after checking that it is whole and belongs to the configuration with
    /// <paramref name="fingerprint"/>.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The file is damaged, of another format version or of another configuration.</exception>
    public static TrainingPosition Restore(string path, ulong fingerprint, nn.Module module, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        var payload = Load(path);
        var position = ReadPosition(path, payload, out var offset);
        if (position.Fingerprint != fingerprint)
        {
            throw new InvalidCheckpointException(string.Create(
                CultureInfo.InvariantCulture,
                $"checkpoint '{path}' belongs to the configuration with fingerprint {position.Fingerprint:x16}, not to this one ({fingerprint:x16}); it cannot be continued"));
        }

        using var stream = new MemoryStream(payload, offset, payload.Length - offset, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            using (no_grad())
            {
                module.load(reader, strict: true);
            }

            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            // The hash matched, so the bytes are what was written: the network or optimizer it was written from differs.
            throw new InvalidCheckpointException($"checkpoint '{path}' does not fit the network built for its configuration: {e.Message}", e);
        }

        if (stream.Position != stream.Length)
        {
            throw new InvalidCheckpointException($"checkpoint '{path}' holds {stream.Length - stream.Position} bytes more than the network and optimizer state read from it");
        }

        return position;
    }

    /// <summary>Deletes temporary files a writer left next to <paramref name="path"/> when it was killed mid-write.</summary>
    public static void RemoveStaleTemporaries(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, Path.GetFileName(path) + ".*" + TemporarySuffix))
        {
            TryDelete(file);
        }
    }

    private static byte[] Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidCheckpointException($"'{path}' is not a training checkpoint (it is {bytes.Length} bytes long and lacks the NHPOCKPT header): truncated or overwritten");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (version != FormatVersion)
        {
            throw new InvalidCheckpointException($"checkpoint '{path}' has format version {version}; this build reads version {FormatVersion} only");
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(Magic.Length + sizeof(int)));
        if (length != bytes.Length - HeaderLength)
        {
            throw new InvalidCheckpointException($"checkpoint '{path}' is truncated or damaged: its header announces {length} bytes of state, the file holds {bytes.Length - HeaderLength}");
        }

        var payload = bytes.AsSpan(HeaderLength);
        var hash = bytes.AsSpan(HeaderLength - SHA256.HashSizeInBytes, SHA256.HashSizeInBytes);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
        {
            throw new InvalidCheckpointException($"checkpoint '{path}' is damaged: its contents do not match the checksum written with them");
        }

        return payload.ToArray();
    }

    private static TrainingPosition ReadPosition(string path, byte[] payload, out int offset)
    {
        using var stream = new MemoryStream(payload, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var position = new TrainingPosition(
                reader.ReadUInt64(),
                reader.ReadUInt64(),
                reader.ReadInt64(),
                reader.ReadInt32(),
                reader.ReadInt32(),
                reader.ReadInt32(),
                reader.ReadDouble());
            if (position.BatchesDone < 0 || position.BatchesPerEpoch < 1 || position.BatchSize < 1 || position.TrainingImages < 1)
            {
                throw new InvalidCheckpointException($"checkpoint '{path}' records an impossible position: {position}");
            }

            offset = (int)stream.Position;
            return position;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidCheckpointException($"checkpoint '{path}' ends inside its training position", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is removed by the next run of the trial.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}

/// <summary>A checkpoint that cannot be continued from: damaged, of another format version, or of another configuration.</summary>
internal sealed class InvalidCheckpointException : Exception
{
    public InvalidCheckpointException()
    {
    }

    public InvalidCheckpointException(string message)
        : base(message)
    {
    }

    public InvalidCheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
