using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;
using NasHpo.Actors.Devices;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.Devices;

/// <summary>
/// A device watches the trial that asked for its run. A trial that stops without a word (its coordinator died) is a
/// lost requester, worth a warning; a trial that cancels its run and then stops (its study ended by the wall clock,
/// or gave the trial up) is the normal end of a study, and the console once printed a warning for every such trial.
/// </summary>
public sealed class DeviceRequesterTests() : TestKit(ConfigurationFactory.ParseString("akka.loglevel = DEBUG"))
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_trial_that_cancels_its_run_and_stops_is_no_warning_and_one_that_stops_silently_is()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var device = Sys.ActorOf(GpuDeviceActor.Props("cpu-0"));
        var execution = new TrialExecution(new RunsUntilCancelled(), null, false);

        // Cancelled, then stopped, as a trial's PostStop does: the run ends as cancelled and nothing is said above
        // debug level.
        var polite = CreateTestProbe();
        device.Tell(new RunTrial(Request(1), execution), polite.Ref);
        polite.ExpectMsg<TrialRunProgress>(Patience);
        device.Tell(new CancelTrial(new TrialId(1, 1)), polite.Ref);
        Watch(polite.Ref);
        polite.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(polite.Ref, Patience);
        warnings.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        // Stopped without a word: the device warns and cancels the run. The next run is held until that one ends
        // and then starts, so the device is free again.
        var lost = CreateTestProbe();
        device.Tell(new RunTrial(Request(2), execution), lost.Ref);
        lost.ExpectMsg<TrialRunProgress>(Patience);
        Watch(lost.Ref);
        lost.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(lost.Ref, Patience);
        var warned = warnings.ExpectMsg<Warning>(Patience);
        Assert.Contains("the requester of", warned.Message.ToString(), StringComparison.Ordinal);

        var next = CreateTestProbe();
        device.Tell(new RunTrial(Request(3), new TrialExecution(new Instant(), null, false)), next.Ref);
        var finished = next.FishForMessage<TrialRunFinished>(_ => true, Patience);
        Assert.Null(finished.FailureReason);
    }

    private static TrialRequest Request(long id) => new(new TrialId(id, 1), new NasHpo.Core.SearchSpaces.Configuration([]), 0, 0, null);

    private sealed class RunsUntilCancelled : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context)
        {
            context.ReportProgress(new WorkloadProgress(0, 1));
            context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));

            // Training notices a cancellation between batches, after its trial has stopped.
            Thread.Sleep(300);
            context.Cancellation.ThrowIfCancellationRequested();
            return WorkloadResult.Of(1.0);
        }
    }

    private sealed class Instant : IWorkload
    {
        public IReadOnlyList<NasHpo.Core.Objectives.Objective> Objectives { get; } = [];

        public WorkloadResult Run(TrialRequest request, WorkloadContext context) => WorkloadResult.Of(1.0);
    }
}
