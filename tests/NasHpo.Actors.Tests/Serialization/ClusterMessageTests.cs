using Akka.Actor;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Serialization;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>Messages between nodes: all bound to the Protobuf serializer by the shipped configuration, actor references included.</summary>
public sealed class ClusterMessageTests : IClassFixture<EngineSerializationFixture>
{
    private readonly EngineSerializationFixture _engine;

    public ClusterMessageTests(EngineSerializationFixture engine)
    {
        _engine = engine;
    }

    public static TheoryData<Type> ClusterMessageTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(IClusterMessage).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IClusterMessage).IsAssignableFrom(t)))
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ClusterMessageTypes))]
    public void Every_message_that_crosses_nodes_goes_through_the_protobuf_serializer_with_a_manifest(Type type)
    {
        var serializer = _engine.Serialization.FindSerializerForType(type);

        Assert.IsType<NasHpoSerializer>(serializer);
        Assert.Contains(NasHpoSerializer.KnownManifests, m => SerializationSamples.All.TryGetValue(m, out var sample) && sample.GetType() == type);
    }

    [Fact]
    public void A_device_announcement_carries_actor_references_that_resolve_to_the_same_actors()
    {
        var first = _engine.System.ActorOf(Props.Empty, "cpu-0@127.0.0.1:4053");
        var second = _engine.System.ActorOf(Props.Empty, "cuda-1@127.0.0.1:4053");
        var announced = new DevicesAnnounced("akka.tcp://nashpo@127.0.0.1:4053", [new AnnouncedDevice("cpu-0@127.0.0.1:4053", first), new AnnouncedDevice("cuda-1@127.0.0.1:4053", second)]);

        var serializer = _engine.Serialization.FindSerializerFor(announced);
        var decoded = (DevicesAnnounced)_engine.Serialization.Deserialize(serializer.ToBinary(announced), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, announced));

        Assert.Equal(announced.Node, decoded.Node);
        Assert.Equal(["cpu-0@127.0.0.1:4053", "cuda-1@127.0.0.1:4053"], decoded.Devices.Select(d => d.Name));
        Assert.Equal(first, decoded.Devices[0].Device);
        Assert.Equal(second, decoded.Devices[1].Device);
    }

    [Fact]
    public void A_portable_trial_names_its_lease_holder_and_without_one_reads_as_before()
    {
        var pool = _engine.System.ActorOf(Props.Empty, "cluster-devices-under-test");
        var run = (RunPortableTrial)SerializationSamples.All["run-portable-trial.v1"] with { LeaseHolder = pool };

        var serializer = _engine.Serialization.FindSerializerFor(run);
        var decoded = (RunPortableTrial)_engine.Serialization.Deserialize(serializer.ToBinary(run), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, run));
        var plain = (RunPortableTrial)_engine.Serialization.Deserialize(serializer.ToBinary(run with { LeaseHolder = null }), serializer.Identifier, "run-portable-trial.v1");

        Assert.Equal(pool, decoded.LeaseHolder);
        Assert.Equal(run.Request.Id, decoded.Request.Id);
        Assert.Null(plain.LeaseHolder);
    }
}
