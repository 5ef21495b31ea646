using Akka.Actor;
using NasHpo.Actors.Hosting;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// An actor system built from the engine's real configuration (<see cref="EngineHost.BaseConfig"/>), shared by a test
/// class: the serializer bindings under test are the ones nashpo.conf ships, not a copy in the tests.
/// </summary>
/// <remarks>
/// The configuration names a SQLite file, which stays untouched as long as no persistent actor starts; it still
/// lives in a directory of its own so that nothing is left behind if one does.
/// </remarks>
public sealed class EngineSerializationFixture : IDisposable
{
    private readonly string _directory;

    public EngineSerializationFixture()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nashpo-serialization-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        System = (ExtendedActorSystem)ActorSystem.Create("serialization", EngineHost.BaseConfig(Path.Combine(_directory, "unused.db")));
    }

    public ExtendedActorSystem System { get; }

    public Akka.Serialization.Serialization Serialization => System.Serialization;

    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(10));
        System.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
