using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Brackets;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Trials;
using NasHpo.Configuration;
using System.Globalization;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Workloads;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Pareto;
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
public sealed class StudyActor : ReceivePersistentActor, IWithTimers
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
    private readonly EngineSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Persistent state: changed only by Apply.
    private readonly Dictionary<TrialId, LedgerEntry> _ledger = [];
    private readonly List<TrialId> _order = [];

    // Scheduled and not yet finished, kept alongside the ledger so that asking for trials does not scan it.
    private readonly HashSet<TrialId> _inFlight = [];
    private StudyCreated? _created;
    private StudyFinished? _finished;
    private int _completed;
    private int _failed;

    // Runtime state of this incarnation.
    private readonly Dictionary<long, IActorRef> _brackets = [];
    private readonly Dictionary<long, int> _inFlightPerBracket = [];
    private readonly List<IStudyEvent> _unwritten = [];
    private readonly HashSet<TrialId> _finishing = [];
    private StudyDefinition? _definition;
    private IActorRef _sampler = ActorRefs.Nobody;
    private IActorRef _archive = ActorRefs.Nobody;
    private IWorkload? _workload;
    private TrialExecution? _execution;
    private DirectoryCheckpointStore? _checkpoints;
    private readonly Dictionary<TrialId, (WorkloadProgress Progress, string Device)> _progress = [];
    private long _correlation;
    private long? _awaitingOffer;
    private double _budgetSpent;
    private int _finishedWhenAsked;
    private bool _flushQueued;
    private bool _stopped;
    private int _sentToArchive;
    private int _archived;
    private string? _finishWhenArchived;
    private double _hypervolume;
    private int _paretoSize;
    private string? _lastFailure;

    public StudyActor(StudyEnvironment environment, string studyId, StudyDefinition? newDefinition)
    {
        _studyId = studyId;
        _newDefinition = newDefinition;
        _readDefinition = environment.ReadDefinition;
        _workloads = environment.Workloads;
        _checkpointDirectory = environment.CheckpointDirectory;
        _portableTrials = environment.PortableTrials;
        var devices = environment.Devices;
        var settings = environment.Settings;
        _devices = devices;
        _settings = settings;
        PersistenceId = PersistenceIdFor(studyId);

        Recover<IStudyEvent>(Apply);
        Recover<RecoveryCompleted>(_ => Self.Tell(Begin.Instance));

        Command<Begin>(_ => OnBegin());
        Command<TrialsOffered>(OnTrialsOffered);
        Command<ResultsMissing>(OnResultsMissing);
        Command<TrialStartedOnDevice>(OnTrialStarted);
        Command<TrialFinished>(OnTrialFinished);
        Command<TrialProgressed>(progressed =>
        {
            if (_ledger.TryGetValue(progressed.Trial, out var entry) && !entry.IsFinished)
            {
                _progress[progressed.Trial] = (progressed.Progress, progressed.DeviceName);
            }
        });
        Command<Flush>(_ => OnFlush());
        Command<ArchiveUpdated>(OnArchiveUpdated);
        Command<OfferTimedOut>(timeout =>
        {
            if (_awaitingOffer == timeout.Correlation)
            {
                _log.Warning("study {0}: the sampler did not answer request {1} within {2}; asking again", _studyId, timeout.Correlation, _settings.OfferTimeout);
                _awaitingOffer = null;
                Pump();
            }
        });
        Command<AskAgain>(again =>
        {
            if (_awaitingOffer == again.Correlation)
            {
                _awaitingOffer = null;
                Pump();
            }
        });
        Command<WallClockExpired>(_ => Finish("max-wall-clock"));
        Command<GetStudyStatus>(_ => Sender.Tell(Status()));
        Command<CancelStudy>(cancel =>
        {
            if (_finished is not null || _created is null)
            {
                Sender.Tell(new StudyCancelled(_studyId, false, _finished is not null ? $"already finished ({_finished.Reason})" : "no such study"));
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

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed record OfferTimedOut(long Correlation);

    /// <summary>The optimizer had nothing to run while nothing ran: ask again after a pause.</summary>
    private sealed record AskAgain(long Correlation);

    private sealed class WallClockExpired
    {
        public static readonly WallClockExpired Instance = new();
    }

    private enum TrialStatus
    {
        Scheduled,
        Running,
        Completed,
        Failed,
    }

    private sealed class LedgerEntry(TrialRequest request)
    {
        public TrialRequest Request { get; } = request;

        public TrialStatus Status { get; set; } = TrialStatus.Scheduled;

        public TrialCompleted? Completion { get; set; }

        public TrialFailed? Failure { get; set; }

        public bool IsFinished => Status is TrialStatus.Completed or TrialStatus.Failed;
    }

    private int InFlight => _inFlight.Count;

    private void Apply(IStudyEvent e)
    {
        switch (e)
        {
            case StudyCreated created:
                _created = created;
                break;
            case TrialScheduled scheduled when !_ledger.ContainsKey(scheduled.Request.Id):
                _ledger[scheduled.Request.Id] = new LedgerEntry(scheduled.Request);
                _order.Add(scheduled.Request.Id);
                _inFlight.Add(scheduled.Request.Id);
                break;
            case TrialStarted started when _ledger.TryGetValue(started.Trial, out var entry) && !entry.IsFinished:
                entry.Status = TrialStatus.Running;
                break;
            case TrialCompleted completed when _ledger.TryGetValue(completed.Trial, out var entry) && !entry.IsFinished:
                entry.Status = TrialStatus.Completed;
                entry.Completion = completed;
                _completed++;
                _inFlight.Remove(completed.Trial);
                break;
            case TrialFailed failed when _ledger.TryGetValue(failed.Trial, out var entry) && !entry.IsFinished:
                entry.Status = TrialStatus.Failed;
                entry.Failure = failed;
                _failed++;
                _inFlight.Remove(failed.Trial);
                _lastFailure = $"{failed.Trial}: {failed.Reason}";
                break;
            case StudyFinished finished:
                _finished = finished;
                break;
        }
    }

    private void OnBegin()
    {
        if (_created is null)
        {
            if (_newDefinition is null)
            {
                // Resumed an id that has no journal: nothing to do but say so.
                return;
            }

            var created = new StudyCreated(_studyId, _newDefinition.Hocon, _newDefinition.Seed, _newDefinition.ReferencePoint, DateTimeOffset.UtcNow);
            Persist(created, e =>
            {
                Apply(e);
                Start();
            });
            return;
        }

        Start();
    }

    private void Start()
    {
        _definition = _readDefinition(_created!.Definition);
        if (_finished is not null)
        {
            return;
        }

        _workload = _workloads(_definition);

        // Only trained networks have state worth keeping between budgets; synthetic problems have none unless asked
        // (problem.checkpoints, which proves a promotion found its parent's state on another node).
        _checkpoints = (_definition.Problem.IsSynthetic && !_definition.Problem.Checkpoints) || _checkpointDirectory is null
            ? null
            : new DirectoryCheckpointStore(DirectoryCheckpointStore.ForStudy(_checkpointDirectory, _studyId));
        _execution = new TrialExecution(_workload, _checkpoints, _definition.Optimizer.ContinueFromCheckpoint)
        {
            Portable = _portableTrials
                ? new PortableExecution(_studyId, _created.Definition, _checkpoints?.Directory, _definition.Optimizer.ContinueFromCheckpoint)
                : null,
        };
        // Captured as locals: the sampler calls this on its own thread, at its start and at every restart.
        var definition = _definition;
        var seed = _created.Seed;
        var referencePoint = _created.ReferencePoint;
        var cheapObjectives = CheapObjectives(definition, _workload);
        var bulkAndCut = BulkAndCutSettingsOf(definition, _created.CreatedAt, _workload);
        IOptimizer CreateOptimizer() => OptimizerFactory.Create(
            definition.Optimizer.Type,
            definition.Space,
            new HyperbandSettings
            {
                MinBudget = definition.Optimizer.MinBudget,
                MaxBudget = definition.Optimizer.MaxBudget,
                Eta = definition.Optimizer.Eta,
                MaxOpenBrackets = definition.Optimizer.MaxOpenBrackets,
                Promotion = definition.Optimizer.Promotion,
            },
            seed,
            definition.Optimizer.Sampler,
            referencePoint,
            definition.Objectives,
            cheapObjectives,
            bulkAndCut,
            definition.Optimizer.ShEmoa,
            definition.Optimizer.MoBananas);
        _sampler = Context.ActorOf(Supervised(SamplerActor.Props(_studyId, CreateOptimizer, _settings.SnapshotEvery), "sampler"), "sampler");
        _archive = Context.ActorOf(
            Supervised(ParetoArchiveActor.Props(_studyId, _created.ReferencePoint, _definition.Optimizer.MaxBudget, _created.CreatedAt, _settings.SnapshotEvery), "archive"),
            "archive");

        _budgetSpent = _order.Select(id => _ledger[id]).Where(e => e.IsFinished).Sum(Charge);
        var finished = FinishedResults();
        if (finished.Count > 0)
        {
            _sampler.Tell(new ObserveResults(finished));
            SendAllToArchive();
        }

        var unfinished = _order.Where(id => !_ledger[id].IsFinished).ToArray();
        if (unfinished.Length > 0)
        {
            _log.Info("study {0}: recovered with {1} evaluations; dispatching {2} unfinished trial(s) again", _studyId, _completed + _failed, unfinished.Length);
        }

        foreach (var id in unfinished)
        {
            Dispatch(_ledger[id].Request);
        }

        if (_definition.Stop.MaxWallClock is { } limit)
        {
            var left = limit - (DateTimeOffset.UtcNow - _created.CreatedAt);
            Timers.StartSingleTimer(WallClockTimer, WallClockExpired.Instance, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        Pump();
    }

    /// <summary>
    /// BULK &amp; CUT's phases are shares of the study's own limits; its wall clock counts from the study's creation,
    /// as the stop criterion does, so a resumed study continues in the phase the clock has reached. On a synthetic
    /// problem, unless the study names them, constrained BO chooses the distance variables: they play the training
    /// hyperparameters (how close to the front a point lands), the position variables the architecture (where along
    /// the trade-off it sits), and morphisms grow and shrink those.
    /// </summary>
    private static BulkAndCutSettings? BulkAndCutSettingsOf(StudyDefinition definition, DateTimeOffset createdAt, IWorkload workload) =>
        definition.Optimizer.BulkAndCut is not { } bulkAndCut
            ? null
            : new BulkAndCutSettings
            {
                Budget = definition.Optimizer.MaxBudget,
                MaxEvaluations = EvaluationLimit(definition),
                MaxWallClock = definition.Stop.MaxWallClock,
                Elapsed = () => DateTimeOffset.UtcNow - createdAt,
                PhaseShares = bulkAndCut.PhaseShares,
                Epsilon = bulkAndCut.Epsilon,
                // A study may narrow a synthetic problem's space; only the distance variables it still has are handed over.
                Hyperparameters = bulkAndCut.Hyperparameters
                    ?? (workload is SyntheticWorkload synthetic ? synthetic.Problem.DistanceVariableNames.Where(n => definition.Space.IndexOf(n) >= 0).ToArray() : null),
            };

    /// <summary>
    /// BULK &amp; CUT runs every trial at the maximum budget and charges each the whole of it (a child trains for the
    /// budget again), so a budget limit is an evaluation limit for its phases.
    /// </summary>
    private static long? EvaluationLimit(StudyDefinition definition)
    {
        long? byBudget = definition.Stop.MaxBudgetSpent is { } budget ? (long)Math.Ceiling(budget / definition.Optimizer.MaxBudget) : null;
        return definition.Stop.MaxEvaluations is { } evaluations ? Math.Min(evaluations, byBudget ?? long.MaxValue) : byBudget;
    }

    /// <summary>
    /// The cheap objectives of a configuration in minimisation space (NaN for the expensive ones), when the workload
    /// can compute them without training; optimizers such as MS-EHVI use them instead of a model.
    /// </summary>
    private static Func<NasHpo.Core.SearchSpaces.Configuration, double[]>? CheapObjectives(StudyDefinition definition, IWorkload workload)
    {
        var objectives = definition.Objectives;
        var cheapNames = objectives.Where(o => o.Cost == ObjectiveCost.Cheap).Select(o => o.Name).ToArray();
        if (workload is not ICheapObjectives cheap || cheapNames.Length == 0)
        {
            return null;
        }

        return configuration =>
        {
            var values = cheap.EvaluateCheap(configuration, cheapNames);
            return objectives.Select(o => o.Cost == ObjectiveCost.Cheap && values.TryGetValue(o.Name, out var value) ? o.ToMinimization(value) : double.NaN).ToArray();
        };
    }

    private Props Supervised(Props child, string name) =>
        BackoffSupervisor.Props(child, name, _settings.MinBackoff, _settings.MaxBackoff, 0.2);

    private void Pump()
    {
        if (_finished is not null || _finishWhenArchived is not null || _stopped || _awaitingOffer is not null || _definition is null)
        {
            return;
        }

        var finished = _completed + _failed;
        var max = _definition.Stop.MaxEvaluations ?? int.MaxValue;
        if (finished >= max)
        {
            Finish("max-evaluations");
            return;
        }

        var capacity = _definition.Devices == 1 ? 1 : _definition.Devices * (1 + _settings.PrefetchPerDevice);
        var want = Math.Min(capacity - InFlight, max - finished - InFlight);
        if (_definition.Stop.MaxBudgetSpent is { } budget)
        {
            // What the trials in flight will cost is known only roughly, and the budgets of those not yet proposed
            // not at all: ask for no more than could each run at the maximum budget within what is left, so that
            // the study passes its limit by less than one trial.
            var left = budget - _budgetSpent - _inFlight.Sum(id => BudgetCharge.Expected(_definition, _ledger[id].Request));
            if (left <= 0)
            {
                if (InFlight == 0)
                {
                    Finish("max-budget-spent");
                }

                return;
            }

            want = Math.Min(want, (int)Math.Min(int.MaxValue, Math.Ceiling(left / _definition.Optimizer.MaxBudget)));
        }

        if (want <= 0)
        {
            return;
        }

        var correlation = ++_correlation;
        _awaitingOffer = correlation;
        _finishedWhenAsked = finished;
        _sampler.Tell(new RequestTrials(correlation, want, _inFlight.ToHashSet(), finished));
        Timers.StartSingleTimer(OfferTimer, new OfferTimedOut(correlation), _settings.OfferTimeout);
    }

    private void OnTrialsOffered(TrialsOffered offer)
    {
        if (offer.Correlation != _awaitingOffer)
        {
            return;
        }

        Timers.Cancel(OfferTimer);
        StopClosedBrackets(offer.OpenBrackets);

        var fresh = offer.Trials.Where(t => !_ledger.ContainsKey(t.Id)).Select(t => new TrialScheduled(t, DateTimeOffset.UtcNow)).ToArray();
        if (fresh.Length == 0)
        {
            _awaitingOffer = null;
            if (_finished is not null)
            {
                return;
            }

            if (_completed + _failed > _finishedWhenAsked)
            {
                // Results came in while the sampler decided, and it answered without them: the last result of a
                // rung, say, whose promotions it could not yet see. Ask again now rather than wait for the next
                // result (or, with nothing running, for the retry below).
                Pump();
            }
            else if (InFlight == 0)
            {
                if (offer.Finished)
                {
                    Finish("optimizer-finished");
                }
                else
                {
                    _log.Warning("study {0}: the optimizer proposes nothing while no trial runs; asking again shortly", _studyId);
                    _awaitingOffer = _correlation;
                    Timers.StartSingleTimer(OfferTimer, new AskAgain(_correlation), TimeSpan.FromMilliseconds(200));
                }
            }

            return;
        }

        // The offer stays open until the trials are written: no second request can race the first one's trials.
        foreach (var scheduled in fresh)
        {
            Enqueue(scheduled);
        }
    }

    private void OnResultsMissing(ResultsMissing missing)
    {
        if (missing.Correlation != _awaitingOffer)
        {
            return;
        }

        _awaitingOffer = null;
        Timers.Cancel(OfferTimer);
        _sampler.Tell(new ObserveResults(FinishedResults()));
        Pump();
    }

    private void Dispatch(TrialRequest request)
    {
        if (_stopped || _execution is null)
        {
            return;
        }

        if (!_brackets.TryGetValue(request.Bracket, out var bracket))
        {
            bracket = Context.ActorOf(BracketActor.Props(_execution, _devices, Self), BracketActor.NameOf(request.Bracket));
            _brackets[request.Bracket] = bracket;
        }

        _inFlightPerBracket[request.Bracket] = _inFlightPerBracket.GetValueOrDefault(request.Bracket) + 1;
        bracket.Tell(new DispatchTrial(request));
    }

    private void StopClosedBrackets(IReadOnlyCollection<long> open)
    {
        foreach (var (index, bracket) in _brackets.ToArray())
        {
            if (!open.Contains(index) && _inFlightPerBracket.GetValueOrDefault(index) == 0)
            {
                Context.Stop(bracket);
                _brackets.Remove(index);
                _inFlightPerBracket.Remove(index);
                DeleteCheckpointsBelowMaxBudget(index);
            }
        }
    }

    private void OnTrialStarted(TrialStartedOnDevice started)
    {
        if (_ledger.TryGetValue(started.Trial, out var entry) && entry.Status == TrialStatus.Scheduled && !_finishing.Contains(started.Trial))
        {
            Enqueue(new TrialStarted(started.Trial, started.DeviceName, DateTimeOffset.UtcNow));
        }
    }

    private void OnTrialFinished(TrialFinished finished)
    {
        if (!_ledger.TryGetValue(finished.Trial, out var entry) || entry.IsFinished || !_finishing.Add(finished.Trial))
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        _progress.Remove(finished.Trial);
        var failure = finished.FailureReason ?? Validate(finished.Result);
        var checkpoint = _checkpoints?.SavedStateName(finished.Trial);
        Enqueue(failure is null
            ? new TrialCompleted(
                finished.Trial,
                _definition!.Objectives.Select((objective, i) => objective.ToMinimization(finished.Result!.Objectives[i])).ToArray(),
                finished.Result!.Metrics,
                finished.Duration,
                finished.DeviceName,
                now,
                checkpoint) { Curve = finished.Result.Curve }
            : new TrialFailed(finished.Trial, failure, finished.DeviceName, now));
    }

    private string? Validate(WorkloadResult? result)
    {
        var objectives = _definition!.Objectives;
        if (result is null || result.Objectives.Count != objectives.Count)
        {
            return $"the workload returned {result?.Objectives.Count ?? 0} objective values, the study has {objectives.Count}";
        }

        for (var i = 0; i < objectives.Count; i++)
        {
            if (!double.IsFinite(result.Objectives[i]))
            {
                return $"objective {objectives[i].Name} is {result.Objectives[i]}";
            }
        }

        return null;
    }

    private void Enqueue(IStudyEvent e)
    {
        _unwritten.Add(e);
        if (!_flushQueued)
        {
            // The flush goes to the back of the mailbox, so everything that arrived before it joins this write.
            _flushQueued = true;
            Self.Tell(Flush.Instance);
        }
    }

    private void OnFlush()
    {
        _flushQueued = false;
        if (_unwritten.Count == 0)
        {
            return;
        }

        var batch = _unwritten.ToArray();
        _unwritten.Clear();
        var remaining = batch.Length;
        PersistAll(batch, e =>
        {
            Apply(e);
            if (--remaining == 0)
            {
                AfterWrite(batch);
            }
        });
    }

    private void AfterWrite(IStudyEvent[] batch)
    {
        var results = new List<TrialResult>();
        var evaluations = new List<Evaluation>();
        foreach (var e in batch)
        {
            switch (e)
            {
                case TrialScheduled scheduled:
                    _awaitingOffer = null;
                    Dispatch(scheduled.Request);
                    break;
                case TrialCompleted completed:
                    results.Add(TrialResult.Completed(completed.Trial, completed.Objectives));
                    evaluations.Add(new Evaluation(completed.Trial, completed.Objectives));
                    Finished(completed.Trial);
                    break;
                case TrialFailed failed:
                    results.Add(TrialResult.Failure(failed.Trial, failed.Reason));
                    Finished(failed.Trial);
                    break;
            }
        }

        if (results.Count > 0)
        {
            _sampler.Tell(new ObserveResults(results));
        }

        if (evaluations.Count > 0)
        {
            _sentToArchive += evaluations.Count;
            _archive.Tell(new ArchiveEvaluations(evaluations));
        }

        Pump();
    }

    private void Finished(TrialId trial)
    {
        _finishing.Remove(trial);
        var request = _ledger[trial].Request;
        if (_inFlightPerBracket.TryGetValue(request.Bracket, out var count))
        {
            _inFlightPerBracket[request.Bracket] = Math.Max(0, count - 1);
        }

        DeleteParentCheckpoint(request);
        _budgetSpent += Charge(_ledger[trial]);
    }

    private double Charge(LedgerEntry entry) => BudgetCharge.Finished(_definition!, entry.Request.Id, entry.Completion);

    /// <summary>
    /// A configuration is promoted from a budget at most once, so once the promoted trial has finished, the checkpoint
    /// it continued from serves nothing more. Closing brackets clean up after themselves, but asynchronous ladders
    /// never close: without this they kept every promoted trial's lower-budget checkpoint until the study ended.
    /// </summary>
    private void DeleteParentCheckpoint(TrialRequest request)
    {
        if (_checkpoints is not null && request.Parent is { } parent && parent.Budget < _definition!.Optimizer.MaxBudget)
        {
            _checkpoints.Delete(parent);
        }
    }

    private void OnArchiveUpdated(ArchiveUpdated updated)
    {
        _hypervolume = updated.Hypervolume;
        _paretoSize = updated.ParetoSize;
        _archived = updated.Evaluations;
        if (updated.Evaluations < _sentToArchive)
        {
            // The archive restarted and lost evaluations it had not written: send them all again (it ignores repeats).
            SendAllToArchive();
        }
        else if (_finishWhenArchived is { } reason)
        {
            Finish(reason);
        }
    }

    private void SendAllToArchive()
    {
        var all = _order.Select(id => _ledger[id].Completion).OfType<TrialCompleted>().Select(c => new Evaluation(c.Trial, c.Objectives)).ToArray();
        _sentToArchive = all.Length;
        _archive.Tell(new ArchiveEvaluations(all));
    }

    private List<TrialResult> FinishedResults() =>
        _order.Select(id => _ledger[id]).Where(e => e.IsFinished)
            .Select(e => e.Completion is { } c ? TrialResult.Completed(c.Trial, c.Objectives) : TrialResult.Failure(e.Failure!.Trial, e.Failure.Reason))
            .ToList();

    private void Finish(string reason)
    {
        if (_finished is not null)
        {
            return;
        }

        StopTrials();

        // The study's last word includes its final front: wait until the archive holds every completed evaluation.
        if (_archived < _sentToArchive)
        {
            _finishWhenArchived = reason;
            return;
        }

        _finishWhenArchived = null;
        KeepOnlyParetoCheckpoints();
        Persist(new StudyFinished(reason, DateTimeOffset.UtcNow), e =>
        {
            Apply(e);
            _log.Info("study {0} finished: {1}", _studyId, reason);
        });
    }

    private void StopTrials()
    {
        Timers.CancelAll();
        foreach (var bracket in _brackets.Values)
        {
            Context.Stop(bracket);
        }

        _brackets.Clear();
        _inFlightPerBracket.Clear();
    }

    private StudyStatus Status()
    {
        var state = _created is null
            ? (IsRecovering ? StudyState.Recovering : StudyState.NotFound)
            : _finished is not null ? StudyState.Finished : _stopped ? StudyState.Stopped : StudyState.Running;
        var running = _inFlight.Count(id => _ledger[id].Status == TrialStatus.Running);
        var pending = _inFlight.Count - running;
        var latest = _order.Count > 0 ? _ledger[_order[^1]].Request : null;
        var elapsed = _created is null ? TimeSpan.Zero : (_finished?.FinishedAt ?? DateTimeOffset.UtcNow) - _created.CreatedAt;
        var activity = _progress
            .OrderBy(p => p.Value.Device, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} on {p.Value.Device}: {p.Value.Progress.Done:G4}/{p.Value.Progress.Total:G4}{(p.Value.Progress.Note is { } note ? $" ({note})" : string.Empty)}"))
            .ToArray();
        return new StudyStatus(_studyId, state, _completed, _failed, running, pending, _hypervolume, _paretoSize, latest?.Bracket, latest?.Rung, elapsed, _finished?.Reason, _lastFailure, activity)
        {
            BudgetSpent = _budgetSpent,
            MaxBudgetSpent = _definition?.Stop.MaxBudgetSpent,
        };
    }

    protected override void PostStop()
    {
        (_workload as IDisposable)?.Dispose();
        base.PostStop();
    }

    /// <summary>A closed bracket promotes nothing more: its lower-budget states will never be continued.</summary>
    private void DeleteCheckpointsBelowMaxBudget(long bracket)
    {
        if (_checkpoints is null || _definition is null)
        {
            return;
        }

        foreach (var id in _order.Where(id => _ledger[id].Request.Bracket == bracket && id.Budget < _definition.Optimizer.MaxBudget))
        {
            _checkpoints.Delete(id);
        }
    }

    /// <summary>At the end only the networks of the final front are worth their disk space.</summary>
    private void KeepOnlyParetoCheckpoints()
    {
        if (_checkpoints is null)
        {
            return;
        }

        var completed = _order.Select(id => _ledger[id].Completion).OfType<TrialCompleted>().ToList();
        var highest = completed.Count == 0 ? 0 : completed.Max(c => c.Trial.Budget);
        var top = completed.Where(c => c.Trial.Budget == highest).ToList();
        var keep = NonDominatedSorting.FirstFront(top.Select(c => c.Objectives.ToArray()).ToArray()).Select(i => top[i].Trial).ToHashSet();
        foreach (var id in _order.Where(id => !keep.Contains(id)))
        {
            _checkpoints.Delete(id);
        }
    }
}
