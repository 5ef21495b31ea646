using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Trials;
using NasHpo.Configuration;
using NasHpo.Actors.Workloads;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Studies;

/// <summary>
/// One study ("study-{id}"): its lifecycle and its trial ledger, of which it is the only writer. It asks the
/// sampler for trials, records them as scheduled before they run, dispatches them through bracket actors to
/// devices, records each outcome once, and passes outcomes on to the sampler and the Pareto archive.
/// Outcomes that arrive while a write is in flight are grouped into one write, which is what lets a study run
/// thousands of cheap evaluations a second on SQLite.
/// On recovery, every trial that was scheduled but never finished is dispatched again; results that arrive twice
/// are applied once.
/// </summary>
/// <remarks>
/// The state of each concern is held by a collaborator of its own: the ledger (<see cref="StudyLedger"/>), the
/// flow of requests to the sampler (<see cref="SamplerFlow"/>), the bracket actors (<see cref="BracketBook"/>), the
/// budget (<see cref="StudyBudget"/>), the archive's progress (<see cref="ArchiveSync"/>), the checkpoints
/// (<see cref="StudyCheckpoints"/>) and the status (<see cref="StudyStatusView"/>). This file holds the lifecycle;
/// StudyActor.Sampling.cs asks for trials, StudyActor.Trials.cs runs and records them, and StudyActor.Watchers.cs
/// pushes the status to those watching.
/// </remarks>
internal sealed partial class StudyActor : ReceivePersistentActor, IWithTimers
{
    private const string OfferTimer = "offer-timeout";
    private const string WallClockTimer = "wall-clock";

    private readonly string _studyId;
    private readonly StudyDefinition? _newDefinition;
    private readonly Func<string, StudyDefinition> _readDefinition;
    private readonly Func<StudyDefinition, IWorkload> _workloads;
    private readonly string? _checkpointDirectory;
    private readonly bool _portableTrials;
    private readonly IActorRef _devices;
    private readonly StudyChildren _children;
    private readonly EngineSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Persistent state: changed only by StudyLedger.Apply.
    private readonly StudyLedger _ledger = new();

    // Runtime state of this incarnation.
    private readonly BracketBook _brackets = new();
    private readonly SamplerFlow _flow = new();
    private readonly ArchiveSync _archiveSync = new();
    private readonly TrialActivity _activity = new();
    private readonly StudyStatusView _statusView;
    private readonly List<IStudyEvent> _unwritten = [];
    private readonly HashSet<TrialId> _finishing = [];
    private StudyDefinition? _definition;
    private StudyBudget? _budget;
    private IActorRef _sampler = ActorRefs.Nobody;
    private IActorRef _archive = ActorRefs.Nobody;
    private IWorkload? _workload;
    private TrialExecution? _execution;
    private StudyCheckpoints? _checkpoints;
    private bool _flushQueued;
    private bool _stopped;

    public StudyActor(StudyEnvironment environment, string studyId, StudyDefinition? newDefinition)
    {
        _studyId = studyId;
        _newDefinition = newDefinition;
        _readDefinition = environment.ReadDefinition;
        _workloads = environment.Workloads;
        _checkpointDirectory = environment.CheckpointDirectory;
        _portableTrials = environment.PortableTrials;
        _devices = environment.Devices;
        _children = environment.Children;
        _settings = environment.Settings;
        _statusView = new StudyStatusView(studyId, _ledger, _archiveSync, _activity);
        PersistenceId = PersistenceIdFor(studyId);

        Recover<IStudyEvent>(_ledger.Apply);
        Recover<RecoveryCompleted>(_ => Self.Tell(Begin.Instance));

        Command<Begin>(_ => OnBegin());
        Command<TrialsOffered>(OnTrialsOffered);
        Command<ResultsMissing>(OnResultsMissing);
        Command<TrialStartedOnDevice>(OnTrialStarted);
        Command<TrialFinished>(OnTrialFinished);
        Command<TrialProgressed>(progressed =>
        {
            if (_ledger.IsUnfinished(progressed.Trial))
            {
                _activity.Report(progressed.Trial, progressed.Progress, progressed.DeviceName);
            }
        });
        Command<Flush>(_ => OnFlush());
        Command<ArchiveUpdated>(OnArchiveUpdated);
        Command<OfferTimedOut>(OnOfferTimedOut);
        Command<AskAgain>(OnAskAgain);
        Command<WallClockExpired>(_ => Finish("max-wall-clock"));
        Command<GetStudyStatus>(_ => Sender.Tell(Status()));
        HandleWatchers();
        Command<CancelStudy>(cancel =>
        {
            if (_ledger.Finished is not null || _ledger.Created is null)
            {
                Sender.Tell(new StudyCancelled(_studyId, false, _ledger.Finished is { } finished ? $"already finished ({finished.Reason})" : "no such study"));
                return;
            }

            Finish("cancelled");
            Sender.Tell(new StudyCancelled(_studyId, true, null));
        });
        Command<StopStudy>(_ =>
        {
            _stopped = true;
            StopTrials();
            Sender.Tell(new StudyStopped(_studyId));
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Frozen: renaming it orphans every study journal.</summary>
    public static string PersistenceIdFor(string studyId) => $"study-{studyId}";

    public static Props Props(StudyEnvironment environment, string studyId, StudyDefinition? newDefinition) =>
        Akka.Actor.Props.Create<StudyActor>(environment, studyId, newDefinition!);

    private sealed class Begin
    {
        public static readonly Begin Instance = new();
    }

    private sealed class WallClockExpired
    {
        public static readonly WallClockExpired Instance = new();
    }

    private void OnBegin()
    {
        if (_ledger.Created is null)
        {
            if (_newDefinition is null)
            {
                // Resumed an id that has no journal: nothing to do but say so.
                return;
            }

            var created = new StudyCreated(_studyId, _newDefinition.Hocon, _newDefinition.Seed, _newDefinition.ReferencePoint, DateTimeOffset.UtcNow);
            Persist(created, e =>
            {
                _ledger.Apply(e);
                Start();
            });
            return;
        }

        Start();
    }

    private void Start()
    {
        var created = _ledger.Created!;
        _definition = _readDefinition(created.Definition);
        _budget = new StudyBudget(_definition);
        if (StudyCheckpoints.Unusable(_definition, _checkpointDirectory, _studyId) is { } unusable)
        {
            // A restart would fail the same way, without end.
            StudyFaults.CannotStart(Context, _studyId, PersistenceId, unusable);
            return;
        }

        _checkpoints = StudyCheckpoints.For(_definition, _checkpointDirectory, _studyId);
        if (_ledger.Finished is not null)
        {
            // The process may have stopped between writing StudyFinished and cleaning up after it.
            KeepOnlyParetoCheckpoints();
            return;
        }

        _workload = _workloads(_definition);
        _execution = new TrialExecution(_workload, _checkpoints?.Store, _definition.Optimizer.ContinueFromCheckpoint)
        {
            Portable = _portableTrials
                ? new PortableExecution(_studyId, created.Definition, _checkpoints?.Store.Directory, _definition.Optimizer.ContinueFromCheckpoint)
                : null,
        };
        var createOptimizer = OptimizerAssembly.Factory(_definition, created, _workload);
        _sampler = _children.Sampler(Context, Supervised(SamplerActor.Props(_studyId, createOptimizer, _settings.SnapshotEvery), "sampler"), "sampler");
        _archive = _children.Archive(
            Context,
            Supervised(ParetoArchiveActor.Props(_studyId, created.ReferencePoint, _definition.ObjectiveSpace, _definition.Optimizer.MaxBudget, created.CreatedAt, _settings.SnapshotEvery), "archive"),
            "archive");

        _budget.Recount(_ledger);
        var finished = _ledger.FinishedResults();
        if (finished.Count > 0)
        {
            _sampler.Tell(new ObserveResults(finished));
            SendAllToArchive();
        }

        var unfinished = _ledger.Unfinished.ToArray();
        if (unfinished.Length > 0)
        {
            _log.Info("study {0}: recovered with {1} evaluations; dispatching {2} unfinished trial(s) again", _studyId, _ledger.Evaluations, unfinished.Length);
        }

        foreach (var request in unfinished)
        {
            Dispatch(request);
        }

        if (_definition.Stop.MaxWallClock is { } limit)
        {
            var left = limit - (DateTimeOffset.UtcNow - created.CreatedAt);
            Timers.StartSingleTimer(WallClockTimer, WallClockExpired.Instance, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        Pump();
    }

    /// <summary>The sampler and the archive persist on their own: one whose write failed comes back after a pause and recovers.</summary>
    private Props Supervised(Props child, string name) =>
        BackoffSupervisor.Props(child, name, _settings.MinBackoff, _settings.MaxBackoff, 0.2);

    private void OnArchiveUpdated(ArchiveUpdated updated)
    {
        _archiveSync.Update(updated);
        if (_archiveSync.IsBehind)
        {
            // The archive restarted and lost evaluations it had not written: send them all again (it ignores repeats).
            SendAllToArchive();
        }
        else if (_archiveSync.PendingFinish is { } reason)
        {
            Finish(reason);
        }
    }

    private void SendAllToArchive()
    {
        var all = _ledger.CompletedEvaluations();
        _archiveSync.SendingAll(all.Length);
        _archive.Tell(new ArchiveEvaluations(all));
    }

    private void Finish(string reason)
    {
        if (_ledger.Finished is not null)
        {
            return;
        }

        StopTrials();

        // The study's last word includes its final front: wait until the archive holds every completed evaluation.
        if (_archiveSync.IsBehind)
        {
            _archiveSync.FinishWhenArchived(reason);
            return;
        }

        _archiveSync.Finishing();
        Persist(new StudyFinished(reason, DateTimeOffset.UtcNow), e =>
        {
            _ledger.Apply(e);

            // Only now: a write that failed restarts the study unfinished, and it still needs those checkpoints.
            KeepOnlyParetoCheckpoints();
            _log.Info("study {0} finished: {1}", _studyId, reason);
            PushToWatchers(force: true);
        });
    }

    private void StopTrials()
    {
        Timers.CancelAll();
        foreach (var bracket in _brackets.Clear())
        {
            Context.Stop(bracket);
        }
    }

    // A new study whose creation is not written yet is still starting, not absent: a watcher that asks at once must
    // not take it for a study that does not exist.
    private StudyStatus Status() =>
        _statusView.Of(IsRecovering || (_ledger.Created is null && _newDefinition is not null), _stopped, _budget?.Spent ?? 0, _definition?.Stop.MaxBudgetSpent, DateTimeOffset.UtcNow);

    // A damaged journal or a full disk would fail every restart: the study stops instead (see StudyFaults).
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        if (!StudyFaults.RecoveryFailed(Context, _studyId, PersistenceId, reason, message, LastSequenceNr))
        {
            base.OnRecoveryFailure(reason, message);
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        if (!StudyFaults.WriteFailed(Context, _studyId, PersistenceId, cause, sequenceNr))
        {
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }

    protected override void PostStop()
    {
        (_workload as IDisposable)?.Dispose();
        base.PostStop();
    }

    private void KeepOnlyParetoCheckpoints() =>
        _checkpoints?.AfterStudyFinished(_ledger.Order, _ledger.CompletedObjectives());
}
