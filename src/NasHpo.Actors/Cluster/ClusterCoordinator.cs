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
public sealed class ClusterCoordinator : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _pool;
    private readonly IActorRef _manager;
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly CoordinatorLeases _leases;

    public ClusterCoordinator(StudyEnvironment environment, StudyLeases? leases)
    {
        _leases = new CoordinatorLeases(leases, Self, Context.System);
        _pool = Context.ActorOf(DevicePool.Props(), "devices");
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
                _leases.Start(id, null);
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

            _leases.Start(submit.StudyId, checkedSubmit.Definition);
            _log.Info("study {0} submitted", submit.StudyId);
            checkedSubmit.ReplyTo.Tell(new StudySubmitted(submit.StudyId, true, null));
        });
        Receive<CancelStudy>(cancel => _manager.Forward(cancel));
        Receive<GetStudyStatus>(query => _manager.Forward(query));
        Receive<WatchStudy>(watch => _manager.Forward(watch));
        Receive<StudyStarting>(_ => { });
        Receive<CoordinatorLeases.Acquired>(acquired =>
        {
            _leases.OnAcquired(acquired);
            _manager.Tell(new StartStudy(acquired.StudyId, acquired.Definition));
        });
        Receive<CoordinatorLeases.Retry>(retry => _leases.Start(retry.StudyId, retry.Definition));
        Receive<CoordinatorLeases.Refused>(refused => _leases.OnRefused(refused, _log));
        Receive<CoordinatorLeases.Lost>(lost => _leases.OnLost(lost, _manager, _log));
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
