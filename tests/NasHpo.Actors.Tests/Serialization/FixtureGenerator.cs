using NasHpo.Actors.Serialization;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// Writes Fixtures/v1/&lt;manifest&gt;.bin for every manifest that has no fixture yet, from the deterministic samples.
/// Existing fixtures are never rewritten: they are bytes an earlier version wrote, and FixtureTests proves they still
/// load. Run it by hand after adding a manifest (remove the Skip, run this one test, put the Skip back, commit the
/// new file together with its expectations in FixtureTests).
/// </summary>
public sealed class FixtureGenerator : IClassFixture<EngineSerializationFixture>
{
    private readonly EngineSerializationFixture _engine;

    public FixtureGenerator(EngineSerializationFixture engine)
    {
        _engine = engine;
    }

    [Fact(Skip = "writes into the source tree; run by hand when a manifest is added")]
    public void Write_missing_fixtures()
    {
        var written = WriteMissing(_engine, Path.Combine(SourceDirectory(), "Fixtures", "v1"));
        Assert.NotNull(written);
    }

    internal static IReadOnlyList<string> WriteMissing(EngineSerializationFixture engine, string directory)
    {
        Directory.CreateDirectory(directory);
        var serializer = new NasHpoSerializer(engine.System);
        var written = new List<string>();
        foreach (var manifest in NasHpoSerializer.KnownManifests)
        {
            var path = Path.Combine(directory, manifest + ".bin");
            if (File.Exists(path))
            {
                continue;
            }

            var sample = SerializationSamples.ForManifest(manifest);
            if (serializer.Manifest(sample) != manifest)
            {
                throw new InvalidOperationException($"the sample for {manifest} serializes as {serializer.Manifest(sample)}");
            }

            File.WriteAllBytes(path, serializer.ToBinary(sample));
            written.Add(path);
        }

        // Shapes added to a manifest as new fields: the bytes of their first version are kept as well, so the
        // fields' numbers and meaning can never change unnoticed.
        var variants = Path.Combine(directory, "variants");
        Directory.CreateDirectory(variants);
        foreach (var name in SerializationSamples.FixtureVariants)
        {
            var path = Path.Combine(variants, SerializationSamples.VariantFileName(name));
            if (!File.Exists(path))
            {
                File.WriteAllBytes(path, serializer.ToBinary(SerializationSamples.All[name]));
                written.Add(path);
            }
        }

        return written;
    }

    /// <summary>The test project's folder, found from the build output by its project file.</summary>
    private static string SourceDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NasHpo.Actors.Tests.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no NasHpo.Actors.Tests.csproj above {AppContext.BaseDirectory}");
    }
}
