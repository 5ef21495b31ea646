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
/// the trial that sent the work; Self and Sender are captured before the work leaves the actor.
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

    protected override void PostStop()
    {
        _cancellation?.Cancel();
        _thread.Dispose();
    }

    private void Idle()
    {
        Receive<RunTrial>(run => Start(run.Request, () => run.Execution, run.LeaseHolder));
        Receive<RunPortableTrial>(run =>
        {
            if (_portable is null)
            {
                Sender.Tell(new TrialRunFinished(run.Request.Id, null, $"device {_deviceName} takes no trials from other nodes", TimeSpan.Zero, _deviceName));
                return;
            }

            Start(run.Request, () => _portable.Resolve(run.Execution), run.LeaseHolder);
        });
        Receive<CancelTrial>(_ => { });
        Receive<Terminated>(_ => { });
    }

    private void Running()
    {
        Receive<RunTrial>(run => Sender.Tell(new DeviceBusy(run.Request.Id, _deviceName)));
        Receive<RunPortableTrial>(run => Sender.Tell(new DeviceBusy(run.Request.Id, _deviceName)));
        Receive<Terminated>(terminated =>
        {
            // The trial that asked for this run is gone (its coordinator died or left): nobody will read the
            // result, and its study runs the trial again elsewhere, so stop spending the device on it.
            if (terminated.ActorRef.Equals(_requester))
            {
                _log.Warning("{0}: the requester of {1} is gone ({2}); cancelling the run", _deviceName, _running, terminated.ActorRef.Path);
                _cancellation?.Cancel();
            }
        });
        Receive<CancelTrial>(cancel =>
        {
            if (cancel.Trial == _running)
            {
                _cancellation?.Cancel();
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
        });
    }

    private void Start(TrialRequest request, Func<TrialExecution> resolve, IActorRef? leaseHolder)
    {
        _leaseHolder = leaseHolder;
        var self = Self;
        var replyTo = Sender;
        var trial = request.Id;
        var device = _deviceName;
        _cancellation = new CancellationTokenSource();
        var token = _cancellation.Token;
        _running = trial;
        _requester = replyTo;
        Context.Watch(replyTo);
        Become(Running);

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
