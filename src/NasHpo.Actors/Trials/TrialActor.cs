using Akka.Actor;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Trials;

/// <summary>
/// One configuration at one budget ("trial-{n}-b{budget}"): leases a device, runs there, reports to the study and
/// stops. If it stops early (the study stopped, or it crashed), its device run is cancelled and its lease handed
/// back; the trial stays in the ledger and is dispatched again when the study resumes.
/// </summary>
internal sealed class TrialActor : ReceiveActor
{
    private readonly TrialRequest _request;
    private readonly TrialExecution _execution;
    private readonly IActorRef _pool;
    private readonly IActorRef _study;
    private (IActorRef Device, string Name)? _lease;
    private bool _finished;
    private bool _startReported;

    public TrialActor(TrialRequest request, TrialExecution execution, IActorRef pool, IActorRef study)
    {
        _request = request;
        _execution = execution;
        _pool = pool;
        _study = study;

        Receive<DeviceLeased>(leased => leased.Trial == _request.Id, leased =>
        {
            _lease = (leased.Device, leased.DeviceName);
            Context.Watch(leased.Device);
            if (!leased.Queued)
            {
                ReportStart(leased.DeviceName);
            }

            // In a cluster the device may be on another node: send what crosses nodes, never the workload object.
            leased.Device.Tell(_execution.Portable is { } portable
                ? new RunPortableTrial(_request, portable) { LeaseHolder = _pool, Queued = leased.Queued }
                : new RunTrial(_request, _execution) { LeaseHolder = _pool, Queued = leased.Queued });
        });
        Receive<TrialRunStarted>(started => started.Trial == _request.Id, started => ReportStart(started.DeviceName));
        Receive<TrialRunProgress>(progress => _study.Tell(new TrialProgressed(progress.Trial, progress.Progress, progress.DeviceName)));
        Receive<TrialRunFinished>(finished => finished.Trial == _request.Id, finished =>
        {
            _finished = true;
            _pool.Tell(new ReleaseDevice(_request.Id, finished.DeviceName));
            _lease = null;
            _study.Tell(new TrialFinished(_request.Id, finished.Result, finished.FailureReason, finished.Duration, finished.DeviceName));
            Context.Stop(Self);
        });
        Receive<DeviceBusy>(busy =>
        {
            // The pool handed out a device that is still busy; give the lease back and queue again.
            _pool.Tell(new ReleaseDevice(_request.Id, busy.DeviceName));
            _lease = null;
            _pool.Tell(new LeaseDevice(_request.Id));
        });
        Receive<Terminated>(terminated => _lease is { } lease && terminated.ActorRef.Equals(lease.Device), _ =>
        {
            // The device died under the run: ask for another one.
            _lease = null;
            _pool.Tell(new LeaseDevice(_request.Id));
        });
    }

    // Once: a run the device held after its lease (reported then) also says when it started.
    private void ReportStart(string deviceName)
    {
        if (!_startReported)
        {
            _startReported = true;
            _study.Tell(new TrialStartedOnDevice(_request.Id, deviceName));
        }
    }

    public static Props Props(TrialRequest request, TrialExecution execution, IActorRef pool, IActorRef study) =>
        Akka.Actor.Props.Create<TrialActor>(request, execution, pool, study);

    protected override void PreStart() => _pool.Tell(new LeaseDevice(_request.Id));

    protected override void PostStop()
    {
        if (_finished)
        {
            return;
        }

        if (_lease is { } lease)
        {
            lease.Device.Tell(new CancelTrial(_request.Id));
            _pool.Tell(new ReleaseDevice(_request.Id, lease.Name));
        }
        else
        {
            _pool.Tell(new CancelLease(_request.Id));
        }
    }
}
