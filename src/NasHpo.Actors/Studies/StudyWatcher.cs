using Akka.Actor;

namespace NasHpo.Actors.Studies;

/// <summary>
/// Watches one study on behalf of code outside the actor system (<see cref="Hosting.EngineHost.WatchStudyAsync"/>):
/// subscribes with <see cref="WatchStudy"/>, hands each status to the caller's progress, and completes the caller's
/// task with the final status when the study finishes. A study that restarts forgets its watchers, so a watcher
/// that has heard nothing for <c>renewAfter</c> subscribes again (a quiet study just answers with its status). A study
/// the engine stopped for a damaged journal or a full disk (<see cref="StudyFaulted"/>, heard on the event stream or
/// from the manager) fails the caller's task with <see cref="StudyFailedException"/>.
/// </summary>
internal sealed class StudyWatcher : ReceiveActor, IWithTimers
{
    private const string RenewTimer = "renew";
    private readonly IActorRef _studies;
    private readonly string _studyId;
    private readonly TimeSpan _renewAfter;
    private bool _heard;

    public StudyWatcher(IActorRef studies, string studyId, IProgress<StudyStatus>? progress, TaskCompletionSource<StudyStatus> done, TimeSpan renewAfter)
    {
        _studies = studies;
        _studyId = studyId;
        _renewAfter = renewAfter;
        Receive<StudyStatus>(status =>
        {
            _heard = true;
            progress?.Report(status);
            if (status.State == StudyState.NotFound)
            {
                done.TrySetException(new InvalidOperationException($"study \"{studyId}\" is not running on this engine (start it first)"));
                Context.Stop(Self);
            }
            else if (status.State == StudyState.Finished)
            {
                done.TrySetResult(status);
                Context.Stop(Self);
            }
        });
        Receive<StudyFaulted>(fault =>
        {
            if (string.Equals(fault.StudyId, studyId, StringComparison.Ordinal))
            {
                done.TrySetException(StudyFailedException.From(fault));
                Context.Stop(Self);
            }
        });
        Receive<Renew>(_ =>
        {
            if (!_heard)
            {
                _studies.Tell(new WatchStudy(_studyId));
            }

            _heard = false;
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef studies, string studyId, IProgress<StudyStatus>? progress, TaskCompletionSource<StudyStatus> done, TimeSpan renewAfter) =>
        Akka.Actor.Props.Create(() => new StudyWatcher(studies, studyId, progress, done, renewAfter));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(StudyFaulted));
        _studies.Tell(new WatchStudy(_studyId));
        Timers.StartPeriodicTimer(RenewTimer, Renew.Instance, _renewAfter);
    }

    private sealed class Renew
    {
        public static readonly Renew Instance = new();
    }
}
