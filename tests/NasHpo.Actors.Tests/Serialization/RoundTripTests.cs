using NasHpo.Actors.Serialization;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>Every bound type survives ToBinary then FromBinary, alone and through Akka's serialization extension.</summary>
public sealed class RoundTripTests : IClassFixture<EngineSerializationFixture>
{
    private readonly EngineSerializationFixture _engine;
    private readonly NasHpoSerializer _serializer;

    public RoundTripTests(EngineSerializationFixture engine)
    {
        _engine = engine;
        _serializer = new NasHpoSerializer(engine.System);
    }

    public static TheoryData<string> Samples => SerializationSamples.Names();

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_serializer_alone_gives_back_an_equal_value(string sample)
    {
        var value = SerializationSamples.All[sample];

        var manifest = _serializer.Manifest(value);
        var decoded = _serializer.FromBinary(_serializer.ToBinary(value), manifest);

        Assert.Equal(SerializationSamples.ManifestOf(sample), manifest);
        Assert.IsType(value.GetType(), decoded);
        Assert.Equal(Canonical.Of(value), Canonical.Of(decoded));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_actor_system_picks_the_serializer_from_the_engine_config_and_gives_back_an_equal_value(string sample)
    {
        var value = SerializationSamples.All[sample];

        // The same path Akka.Persistence takes: find the serializer by binding, write bytes plus (id, manifest),
        // then read them back by id and manifest alone.
        var serializer = _engine.Serialization.FindSerializerFor(value);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, value);
        var bytes = serializer.ToBinary(value);
        var decoded = _engine.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.IsType<NasHpoSerializer>(serializer);
        Assert.Equal(NasHpoSerializer.Id, serializer.Identifier);
        Assert.Equal(SerializationSamples.ManifestOf(sample), manifest);
        Assert.Equal(Canonical.Of(value), Canonical.Of(decoded));
    }

    [Fact]
    public void Configurations_come_back_equal_with_the_same_canonical_string()
    {
        // Configuration equality is the identity of a trial across processes (ledger keys, deduplication), so the
        // decoded request must be Equal, not merely print alike.
        foreach (var request in new[] { SerializationSamples.PromotedRequest, SerializationSamples.FreshRequest })
        {
            var value = new Sampling.TrialProposed(request);
            var decoded = (Sampling.TrialProposed)_serializer.FromBinary(_serializer.ToBinary(value), _serializer.Manifest(value));

            Assert.Equal(request, decoded.Request);
            Assert.Equal(request.Configuration.ToCanonicalString(), decoded.Request.Configuration.ToCanonicalString());
            Assert.Equal(request.Configuration.Fingerprint, decoded.Request.Configuration.Fingerprint);
        }
    }

    [Fact]
    public void Timestamps_keep_the_instant_to_the_millisecond_and_come_back_in_utc()
    {
        // The wire format stores Unix milliseconds: sub-millisecond ticks and the offset are not part of a fact.
        var local = new DateTimeOffset(2026, 11, 22, 21, 45, 57, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        var value = new Studies.StudyFinished("done", local);

        var decoded = (Studies.StudyFinished)_serializer.FromBinary(_serializer.ToBinary(value), _serializer.Manifest(value));

        Assert.Equal(TimeSpan.Zero, decoded.FinishedAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 19, 45, 57, 123, TimeSpan.Zero), decoded.FinishedAt);
    }
}
