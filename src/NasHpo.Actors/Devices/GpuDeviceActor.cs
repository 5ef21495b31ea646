using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Cluster;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Devices;

/// <summary>
/// Owns one device (a CPU slot or a CUDA device) and runs one trial at a time on the device's own thread, so
/// that a long training never blocks a dispatcher thread. The result is sent back to the actor, which answers
/// the trial that sent the work; Self and Sender are captured before the work leaves the actor. While it runs, it
/// holds at most one queued run (a lease the pool made while it was busy), started the moment the run ends.
/// </summary>
#pragma warning disable CA1001 // The device thread is ended in PostStop, the actor's end of life.
internal sealed class GpuDeviceActor : ReceiveActor
#pragma warning restore CA1001
{
    private readonly string _deviceName;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceThread _thread;
    private readonly PortableExecutions? _portable;
    private CancellationTokenSource? _cancellation;
    private TrialId? _running;
    private IActorRef? _requester;
    private IActorRef? _leaseHolder;
    private QueuedRun? _queued;

    public GpuDeviceActor(string deviceName, PortableExecutions? portable)
    {
        _deviceName = deviceName;
        _portable = portable;
        _thread = new DeviceThread(deviceName);
        Idle();
    }

    public static Props Props(string deviceName) => Props(deviceName, null);

    /// <summary>A device that also runs trials sent from other nodes, building their workloads with <paramref name="portable"/>.</summary>
    public static Props Props(string deviceName, PortableExecutions? portable) => Akka.Actor.Props.Create<GpuDeviceActor>(deviceName, portable!);

    private sealed record RunEnded(TrialId Trial, WorkloadResult? Result, string? FailureReason, TimeSpan Duration, IActorRef ReplyTo);

    private sealed record QueuedRun(TrialRequest Request, Func<TrialExecution> Resolve, IActorRef? LeaseHolder, IActorRef ReplyTo);

    protected override void PostStop()
    {
        _cancellation?.Cancel();
        _thread.Dispose();
    }

    private void Idle()
    {
        Receive<RunTrial>(run => Start(run.Request, () => run.Execution, run.LeaseHolder, Sender, run.Queued));
        Receive<RunPortableTrial>(run =>
        {
            if (Portable(run) is { } resolve)
            {
                Start(run.Request, resolve, run.LeaseHolder, Sender, run.Queued);
            }
        });
        Receive<CancelTrial>(_ => { });
        Receive<Terminated>(_ => { });
    }

    private void Running()
    {
        Receive<RunTrial>(run => Hold(run.Request, () => run.Execution, run.LeaseHolder));
        Receive<RunPortableTrial>(run =>
        {
            if (Portable(run) is { } resolve)
            {
                Hold(run.Request, resolve, run.LeaseHolder);
            }
        });
        Receive<Terminated>(terminated =>
        {
            // The trial that asked for this run is gone (its coordinator died or left): nobody will read the
            // result, and its study runs the trial again elsewhere, so stop spending the device on it.
            if (terminated.ActorRef.Equals(_requester))
            {
                _log.Warning("{0}: the requester of {1} is gone ({2}); cancelling the run", _deviceName, _running, terminated.ActorRef.Path);
                _cancellation?.Cancel();
            }
            else if (_queued is { } queued && terminated.ActorRef.Equals(queued.ReplyTo))
            {
                _queued = null;
            }
        });
        Receive<CancelTrial>(cancel =>
        {
            if (cancel.Trial == _running)
            {
                _cancellation?.Cancel();

                // A trial that cancels its own run is done with it (its study finished or gave it up), so its stop
                // that follows is no lost requester: without this, every study ended by its wall clock printed a
                // warning for each trial still running. Unwatching drops a Terminated already on its way.
                if (_requester is { } requester)
                {
                    Context.Unwatch(requester);
                }
            }
            else if (_queued is { } queued && cancel.Trial == queued.Request.Id)
            {
                Context.Unwatch(queued.ReplyTo);
                _queued = null;
            }
        });
        Receive<RunEnded>(ended =>
        {
            _cancellation?.Dispose();
            _cancellation = null;
            _running = null;
            if (_requester is { } requester)
            {
                Context.Unwatch(requester);
                _requester = null;
            }

            ended.ReplyTo.Tell(new TrialRunFinished(ended.Trial, ended.Result, ended.FailureReason, ended.Duration, _deviceName));

            // The lease holder (the node's pool, or the cluster's on a trainer node) counts the device's busy time
            // and lends it on at once, without waiting for the trial's release.
            _leaseHolder?.Tell(new DeviceWorked(_deviceName, ended.Trial, ended.Duration));

            _leaseHolder = null;
            Become(Idle);
            if (_queued is { } next)
            {
                _queued = null;
                Context.Unwatch(next.ReplyTo);
                Start(next.Request, next.Resolve, next.LeaseHolder, next.ReplyTo, queued: true);
            }
        });
    }

    private Func<TrialExecution>? Portable(RunPortableTrial run)
    {
        if (_portable is null)
        {
            Sender.Tell(new TrialRunFinished(run.Request.Id, null, $"device {_deviceName} takes no trials from other nodes", TimeSpan.Zero, _deviceName));
            return null;
        }

        var portable = _portable;
        return () => portable.Resolve(run.Execution);
    }

    /// <summary>
    /// A run sent while another runs: held if none is held yet, else refused. Not only runs leased as queued: the
    /// pool may lease the device to one trial and queue another at the same moment, and the queued one's run may
    /// arrive first (from another actor), find the device idle and start; the other is then the one held.
    /// </summary>
    private void Hold(TrialRequest request, Func<TrialExecution> resolve, IActorRef? leaseHolder)
    {
        if (_queued is not null)
        {
            Sender.Tell(new DeviceBusy(request.Id, _deviceName));
            return;
        }

        _queued = new QueuedRun(request, resolve, leaseHolder, Sender);
        Context.Watch(Sender);
    }

    private void Start(TrialRequest request, Func<TrialExecution> resolve, IActorRef? leaseHolder, IActorRef replyTo, bool queued)
    {
        _leaseHolder = leaseHolder;
        var self = Self;
        var trial = request.Id;
        var device = _deviceName;
        _cancellation = new CancellationTokenSource();
        var token = _cancellation.Token;
        _running = trial;
        _requester = replyTo;
        Context.Watch(replyTo);
        Become(Running);
        if (queued)
        {
            // A trial leased as queued reports its start to its study only now, so the ledger's start is the run's.
            replyTo.Tell(new TrialRunStarted(trial, device));
        }

        _thread.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            RunEnded ended;
            try
            {
                var execution = resolve();
                var context = new WorkloadContext(device, progress => replyTo.Tell(new TrialRunProgress(trial, progress, device)), token)
                {
                    Checkpoints = execution.Checkpoints,
                    ContinueFromParent = execution.ContinueFromParent,
                };
                var result = execution.Workload.Run(request, context);
                ended = new RunEnded(trial, result, null, watch.Elapsed, replyTo);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                ended = new RunEnded(trial, null, "cancelled", watch.Elapsed, replyTo);
            }
#pragma warning disable CA1031 // Any failure of user code fails the trial, never the device.
            catch (Exception error)
#pragma warning restore CA1031
            {
                ended = new RunEnded(trial, null, Describe(error), watch.Elapsed, replyTo);
            }

            self.Tell(ended);
        });
        _log.Debug("{0} started {1}", device, trial);
    }

    private static string Describe(Exception error)
    {
        var inner = error is AggregateException { InnerException: { } single } ? single : error;
        var message = inner.Message.ReplaceLineEndings(" ");
        return $"{inner.GetType().Name}: {message}";
    }
}
