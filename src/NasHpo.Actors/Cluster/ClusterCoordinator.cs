using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// The cluster singleton on coordinator-role nodes ("/user/studies/singleton"): the cluster's device pool
/// ("devices", a <see cref="DevicePool"/> fed by the devices trainers announce) and the study manager ("manager"), whose studies lease devices of any node. When it starts (the
/// first coordinator, or a successor after the holder died or left) it reads the shared journal and resumes every
/// unfinished study: each recovers its ledger and dispatches again the trials that were scheduled or running.
/// </summary>
internal sealed class ClusterCoordinator : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _pool;
    private readonly IActorRef _manager;
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);

    // Queries and cancels for studies whose lease is still being taken: a client may cancel the moment its submit
    // was accepted, before the study actor exists. They reach the study once it starts (or the manager's "not
    // running" answer once the lease is refused).
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _awaitingLease = new(StringComparer.Ordinal);
    private readonly CoordinatorLeases _leases;

    public ClusterCoordinator(StudyEnvironment environment, StudyLeases? leases)
    {
        _leases = new CoordinatorLeases(leases, Self, Context.System);
        _pool = Context.ActorOf(DevicePool.Props(environment.Settings.DeviceQueueBelow), "devices");
        _manager = Context.ActorOf(StudyManager.Props(environment with { Devices = _pool, PortableTrials = true }), "manager");

        Receive<DevicesAnnounced>(announced => _pool.Forward(announced));
        Receive<DevicesWithdrawn>(withdrawn => _pool.Forward(withdrawn));
        Receive<GetDevicePool>(query => _pool.Forward(query));
        Receive<StudiesToResume>(resume =>
        {
            var fresh = resume.StudyIds.Where(_started.Add).ToArray();
            _log.Info("coordinator singleton on {0}: resuming {1} unfinished stud{2} from the journal{3}", Akka.Cluster.Cluster.Get(Context.System).SelfAddress, fresh.Length, fresh.Length == 1 ? "y" : "ies", fresh.Length > 0 ? ": " + string.Join(", ", fresh) : string.Empty);
            foreach (var id in fresh)
            {
                StartWithLease(id, null);
            }
        });
        Receive<Status.Failure>(failure => _log.Error(failure.Cause, "coordinator singleton: cannot read the journal to resume studies; they resume when it is readable and the singleton restarts"));
        Receive<SubmitStudy>(OnSubmit);
        Receive<SubmitChecked>(checkedSubmit =>
        {
            var submit = checkedSubmit.Submit;
            if (checkedSubmit.Refusal is { } refusal || !_started.Add(submit.StudyId))
            {
                checkedSubmit.ReplyTo.Tell(new StudySubmitted(submit.StudyId, false, checkedSubmit.Refusal ?? $"study \"{submit.StudyId}\" already exists"));
                return;
            }

            StartWithLease(submit.StudyId, checkedSubmit.Definition);
            _log.Info("study {0} submitted", submit.StudyId);
            checkedSubmit.ReplyTo.Tell(new StudySubmitted(submit.StudyId, true, null));
        });
        Receive<CancelStudy>(cancel => ToStudy(cancel.StudyId, cancel));
        Receive<GetStudyStatus>(query => ToStudy(query.StudyId, query));
        Receive<WatchStudy>(watch => ToStudy(watch.StudyId, watch));
        Receive<StudyStarting>(_ => { });
        Receive<CoordinatorLeases.Acquired>(acquired =>
        {
            _leases.OnAcquired(acquired);
            _manager.Tell(new StartStudy(acquired.StudyId, acquired.Definition));
            ReleaseAwaiting(acquired.StudyId);
        });
        Receive<CoordinatorLeases.Retry>(retry => StartWithLease(retry.StudyId, retry.Definition));
        Receive<CoordinatorLeases.Refused>(refused =>
        {
            ReleaseAwaiting(refused.StudyId);
            _leases.OnRefused(refused, _log);
        });
        Receive<CoordinatorLeases.Lost>(lost => _leases.OnLost(lost, _manager, _log));
    }

    private void StartWithLease(string studyId, StudyDefinition? definition)
    {
        _awaitingLease.TryAdd(studyId, []);
        _leases.Start(studyId, definition);
    }

    private void ToStudy(string studyId, object message)
    {
        if (_awaitingLease.TryGetValue(studyId, out var waiting))
        {
            waiting.Add((message, Sender));
        }
        else
        {
            _manager.Forward(message);
        }
    }

    // After StartStudy when the lease was taken, so the manager has made the study's actor when these arrive.
    private void ReleaseAwaiting(string studyId)
    {
        if (_awaitingLease.Remove(studyId, out var waiting))
        {
            foreach (var (message, sender) in waiting)
            {
                _manager.Tell(message, sender);
            }
        }
    }

    public static Props Props(StudyEnvironment environment, StudyLeases? leases = null) => Akka.Actor.Props.Create<ClusterCoordinator>(environment, leases);

    // Children (the studies) have stopped when this runs: the leases go only when nothing of this singleton writes.
    protected override void PostStop() => _leases.ReleaseAll();

    protected override void PreStart()
    {
        var system = Context.System;
        ResumeAsync(system).PipeTo(Self);
    }

    private static async Task<StudiesToResume> ResumeAsync(ActorSystem system)
    {
        var unfinished = new List<string>();
        foreach (var id in await JournalReader.ListStudiesAsync(system).ConfigureAwait(false))
        {
            var record = await JournalReader.ReadStudyAsync(system, id).ConfigureAwait(false);
            if (record.Exists && record.Finished is null)
            {
                unfinished.Add(id);
            }
        }

        return new StudiesToResume(unfinished);
    }

    private void OnSubmit(SubmitStudy submit)
    {
        var replyTo = Sender;
        _log.Info("submit of study {0} received; checking the journal for its id", submit.StudyId);
        StudyDefinition definition;
        try
        {
            definition = StudyDefinitionReader.FromHocon(submit.DefinitionHocon);
        }
        catch (ConfigurationException error)
        {
            replyTo.Tell(new StudySubmitted(submit.StudyId, false, error.Message));
            return;
        }

        // The journal is the truth about which ids exist (finished studies are not running here).
        var system = Context.System;
        JournalReader.ReadStudyAsync(system, submit.StudyId).ContinueWith(
            read => read.IsCompletedSuccessfully
                ? new SubmitChecked(submit, definition, read.Result.Exists ? $"study \"{submit.StudyId}\" already exists" : null, replyTo)
                : new SubmitChecked(submit, definition, $"cannot read the journal: {read.Exception?.GetBaseException().Message}", replyTo),
            TaskScheduler.Default).PipeTo(Self);
    }

    private sealed record StudiesToResume(IReadOnlyList<string> StudyIds);

    private sealed record SubmitChecked(SubmitStudy Submit, StudyDefinition Definition, string? Refusal, IActorRef ReplyTo);
}
