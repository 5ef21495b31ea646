using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Brackets;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Trials;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.StudyProbes;

/// <summary>
/// The study actor's decisions, seen from its children: TestKit probes stand in for its sampler, its archive, its
/// brackets and the device pool, so each test sees exactly what the study asks of them and answers as they would.
/// The study's own journal is Akka's in-memory one.
/// </summary>
public sealed class StudyActorWithProbesTests : TestKit
{
    private const string InMemoryJournal = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TestProbe _sampler;
    private readonly TestProbe _archive;
    private readonly TestProbe _brackets;
    private readonly TestProbe _devices;

    public StudyActorWithProbesTests()
        : base(InMemoryJournal)
    {
        _sampler = CreateTestProbe("sampler");
        _archive = CreateTestProbe("archive");
        _brackets = CreateTestProbe("brackets");
        _devices = CreateTestProbe("devices");
    }

    [Fact]
    public void A_study_records_offered_trials_before_dispatching_them_passes_written_results_on_and_finishes_once_the_archive_holds_them()
    {
        var study = StartStudy("offered", "stop { max-evaluations = 2 }", EngineSettings.Default);
        var ask = _sampler.ExpectMsg<RequestTrials>(Wait);
        Assert.True(ask.Count >= 2, $"asked for {ask.Count} trials with two evaluations to go and two devices");
        var first = Request(1, bracket: 0);
        var second = Request(2, bracket: 1);
        study.Tell(new TrialsOffered(ask.Correlation, [first, second], [0, 1], false));

        // Each bracket of the offer is made once and told its trial (after the trials are written).
        var dispatched = new[] { _brackets.ExpectMsg<DispatchTrial>(Wait), _brackets.ExpectMsg<DispatchTrial>(Wait) };
        Assert.Equal([first.Id, second.Id], dispatched.Select(d => d.Request.Id).OrderBy(id => id.ConfigurationId));
        Assert.Equal(2, WaitForStatus(study, s => s.Pending + s.Running == 2).Pending);

        // A result that arrives twice (a trial's report repeated) is recorded and passed on once.
        var result = new TrialFinished(first.Id, WorkloadResult.Of(0.25, 0.75), null, TimeSpan.FromMilliseconds(5), "cpu-0");
        study.Tell(result);
        study.Tell(result);
        var observed = _sampler.FishForMessage<ObserveResults>(_ => true, Wait);
        Assert.Equal([first.Id], observed.Results.Select(r => r.Id));
        var archived = _archive.ExpectMsg<ArchiveEvaluations>(Wait);
        Assert.Equal([0.25, 0.75], Assert.Single(archived.Evaluations).Objectives);
        study.Tell(new TrialFinished(second.Id, WorkloadResult.Of(0.5, 0.5), null, TimeSpan.FromMilliseconds(5), "cpu-1"));
        Assert.Equal([second.Id], _archive.ExpectMsg<ArchiveEvaluations>(Wait).Evaluations.Select(e => e.Trial));
        _sampler.FishForMessage<ObserveResults>(o => o.Results.Any(r => r.Id == second.Id), Wait);

        // Both evaluations are done, but the study's last word includes its final front: it waits for the archive.
        Assert.Equal(StudyState.Running, WaitForStatus(study, s => s.Evaluations == 2).State);
        study.Tell(new ArchiveUpdated(2, 0.6, 2));
        var finished = WaitForStatus(study, s => s.State == StudyState.Finished);
        Assert.Equal(("max-evaluations", 2, 2), (finished.FinishReason, finished.Evaluations, finished.ParetoSize));
        _devices.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_study_asks_its_sampler_again_when_a_request_gets_no_answer_and_ignores_the_late_answer()
    {
        var study = StartStudy("unanswered", "stop { max-evaluations = 1 }", EngineSettings.Default with { OfferTimeout = TimeSpan.FromMilliseconds(300) });
        var unanswered = _sampler.ExpectMsg<RequestTrials>(Wait);
        var again = _sampler.ExpectMsg<RequestTrials>(Wait);
        Assert.NotEqual(unanswered.Correlation, again.Correlation);

        // The answer to the first request comes too late: it is not the open one, so nothing of it is dispatched.
        study.Tell(new TrialsOffered(unanswered.Correlation, [Request(1, bracket: 0)], [0], false));
        study.Tell(new TrialsOffered(again.Correlation, [Request(2, bracket: 0)], [0], false));
        Assert.Equal(new TrialId(2, 1), _brackets.ExpectMsg<DispatchTrial>(Wait).Request.Id);
        _brackets.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    private IActorRef StartStudy(string id, string stop, EngineSettings settings)
    {
        var environment = new StudyEnvironment(_devices.Ref, settings, StudyDefinitionReader.FromHocon, _ => new InstantWorkload())
        {
            Children = new StudyChildren
            {
                Sampler = (_, _, _) => _sampler.Ref,
                Archive = (_, _, _) => _archive.Ref,
                Bracket = (_, _, _) => _brackets.Ref,
            },
        };
        var definition = StudyDefinitionReader.FromHocon($$"""
            study {
              seed = 1
              devices = 2
              problem { type = zdt1, dimensions = 2 }
              optimizer { type = random, max-budget = 1 }
              {{stop}}
            }
            """);
        return Sys.ActorOf(StudyActor.Props(environment, id, definition), "study-" + id);
    }

    private static TrialRequest Request(long number, long bracket) =>
        new(new TrialId(number, 1), new NasHpo.Core.SearchSpaces.Configuration([]), bracket, 0, null);

    private StudyStatus WaitForStatus(IActorRef study, Func<StudyStatus, bool> condition)
    {
        StudyStatus? status = null;
        AwaitCondition(
            () =>
            {
                status = study.Ask<StudyStatus>(new GetStudyStatus("any"), Wait).GetAwaiter().GetResult();
                return condition(status);
            },
            Wait,
            TimeSpan.FromMilliseconds(20));
        return status!;
    }

    private sealed class InstantWorkload : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context) => WorkloadResult.Of(1.0, 1.0);
    }
}
