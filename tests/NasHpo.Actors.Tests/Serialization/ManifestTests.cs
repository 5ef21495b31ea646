using System.Runtime.Serialization;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Serialization;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// Manifests and the serializer id are written into every journal row: they are frozen names, so they are spelled
/// out here rather than read from the serializer, and a rename fails these tests instead of orphaning journals.
/// </summary>
public sealed class ManifestTests : IClassFixture<EngineSerializationFixture>
{
    private static readonly Dictionary<Type, string> Frozen = new()
    {
        [typeof(StudyCreated)] = "study-created.v1",
        [typeof(TrialScheduled)] = "trial-scheduled.v1",
        [typeof(TrialStarted)] = "trial-started.v1",
        [typeof(TrialCompleted)] = "trial-completed.v1",
        [typeof(TrialFailed)] = "trial-failed.v1",
        [typeof(StudyFinished)] = "study-finished.v1",
        [typeof(TrialProposed)] = "trial-proposed.v1",
        [typeof(ResultObserved)] = "result-observed.v1",
        [typeof(SamplerSnapshot)] = "sampler-snapshot.v1",
        [typeof(EvaluationArchived)] = "evaluation-archived.v1",
        [typeof(ArchiveSnapshot)] = "archive-snapshot.v1",
        [typeof(DevicesAnnounced)] = "devices-announced.v1",
        [typeof(DevicesWithdrawn)] = "devices-withdrawn.v1",
        [typeof(RunPortableTrial)] = "run-portable-trial.v1",
        [typeof(CancelTrial)] = "cancel-trial.v1",
        [typeof(TrialRunFinished)] = "trial-run-finished.v1",
        [typeof(TrialRunProgress)] = "trial-run-progress.v1",
        [typeof(TrialRunStarted)] = "trial-run-started.v1",
        [typeof(DeviceBusy)] = "device-busy.v1",
        [typeof(DeviceWorked)] = "device-worked.v1",
        [typeof(SubmitStudy)] = "submit-study.v1",
        [typeof(StudySubmitted)] = "study-submitted.v1",
        [typeof(CancelStudy)] = "cancel-study.v1",
        [typeof(StudyCancelled)] = "study-cancelled.v1",
        [typeof(ListStudies)] = "list-studies.v1",
        [typeof(StudiesListed)] = "studies-listed.v1",
        [typeof(GetStudyJournal)] = "get-study-journal.v1",
        [typeof(StudyJournal)] = "study-journal.v1",
    };

    private readonly EngineSerializationFixture _engine;
    private readonly NasHpoSerializer _serializer;

    public ManifestTests(EngineSerializationFixture engine)
    {
        _engine = engine;
        _serializer = new NasHpoSerializer(engine.System);
    }

    public static TheoryData<string> UnknownManifests => new()
    {
        string.Empty,
        "study-created",
        "study-created.v2",
        "Study-Created.v1",
        " study-created.v1",
        // What Akka's default JSON serializer would have written: a CLR type name, never accepted here.
        "NasHpo.Actors.Studies.StudyCreated, NasHpo.Actors",
    };

    [Fact]
    public void Every_bound_type_has_its_frozen_manifest()
    {
        foreach (var (type, manifest) in Frozen)
        {
            var sample = SerializationSamples.ForManifest(manifest);

            Assert.IsType(type, sample);
            Assert.Equal(manifest, _serializer.Manifest(sample));
        }
    }

    [Fact]
    public void The_serializer_reads_exactly_the_frozen_manifests()
    {
        // A manifest dropped from the readers would leave its rows unreadable; one added without a frozen entry
        // here would have no fixture discipline.
        Assert.Equal(Frozen.Values.Order(StringComparer.Ordinal), NasHpoSerializer.KnownManifests.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_serializer_id_is_frozen()
    {
        Assert.Equal(7142, NasHpoSerializer.Id);
        Assert.Equal(7142, _serializer.Identifier);
    }

    [Fact]
    public void The_engine_config_binds_every_type_to_the_serializer()
    {
        foreach (var type in Frozen.Keys)
        {
            Assert.IsType<NasHpoSerializer>(_engine.Serialization.FindSerializerForType(type));
        }
    }

    [Theory]
    [MemberData(nameof(UnknownManifests))]
    public void An_unknown_manifest_is_refused(string manifest)
    {
        var bytes = _serializer.ToBinary(SerializationSamples.ForManifest("study-created.v1"));

        // A type of its own, naming the manifest, so that `nashpo verify` tells a newer version's event from a damaged one.
        Assert.Equal(manifest, Assert.Throws<UnknownManifestException>(() => _serializer.FromBinary(bytes, manifest)).Manifest);
        Assert.Equal(manifest, Assert.Throws<UnknownManifestException>(() => _engine.Serialization.Deserialize(bytes, NasHpoSerializer.Id, manifest)).Manifest);
    }

    [Fact]
    public void An_unbound_type_is_refused()
    {
        var stranger = new Studies.GetStudyStatus("not an event");

        Assert.Throws<SerializationException>(() => _serializer.Manifest(stranger));
        Assert.Throws<SerializationException>(() => _serializer.ToBinary(stranger));
        Assert.Throws<SerializationException>(() => _serializer.ToBinary("text"));
    }

    [Fact]
    public void A_new_study_event_without_a_manifest_fails_loudly_instead_of_falling_back_to_json()
    {
        // The binding on IStudyEvent routes any new event here; until it gets a manifest, writing it must fail.
        var unmapped = new UnmappedStudyEvent("added later");
        var serializer = _engine.Serialization.FindSerializerFor(unmapped);

        Assert.IsType<NasHpoSerializer>(serializer);
        Assert.Throws<SerializationException>(() => serializer.ToBinary(unmapped));
        Assert.Throws<SerializationException>(() => Akka.Serialization.Serialization.ManifestFor(serializer, unmapped));
    }

    private sealed record UnmappedStudyEvent(string Note) : IStudyEvent;
}
