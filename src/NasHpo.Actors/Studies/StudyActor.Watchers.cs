using Akka.Actor;

namespace NasHpo.Actors.Studies;

/// <summary>
/// The study's watchers (<see cref="WatchStudy"/>): pushed its status while it changes, at most every
/// <see cref="EngineSettings.StatusInterval"/>, and at once when it finishes, so that no caller polls. A watcher that
/// stops is forgotten; a study that restarts forgets them all (its watchers subscribe again).
/// </summary>
internal sealed partial class StudyActor
{
    private const string StatusTimer = "status-push";

    private readonly HashSet<IActorRef> _watchers = [];
    private StudyStatus? _lastPushed;

    private sealed class PushStatus
    {
        public static readonly PushStatus Instance = new();
    }

    private void HandleWatchers()
    {
        Command<WatchStudy>(_ =>
        {
            if (_watchers.Add(Sender))
            {
                Context.Watch(Sender);
            }

            Sender.Tell(Status());
            if (_ledger.Finished is null && !Timers.IsTimerActive(StatusTimer))
            {
                Timers.StartPeriodicTimer(StatusTimer, PushStatus.Instance, _settings.StatusInterval);
            }
        });
        Command<Terminated>(terminated => _watchers.Remove(terminated.ActorRef));
        Command<PushStatus>(_ => PushToWatchers(force: false));
    }

    /// <summary>
    /// Tells every watcher the status when it changed since the last push (elapsed time aside, which always does;
    /// <paramref name="force"/> sends it anyway), and stops the timer when nobody watches.
    /// </summary>
    private void PushToWatchers(bool force)
    {
        if (_watchers.Count == 0)
        {
            Timers.Cancel(StatusTimer);
            return;
        }

        var status = Status();
        if (!force && _lastPushed is { } last && status with { Elapsed = last.Elapsed, Activity = last.Activity } == last && status.Activity.SequenceEqual(last.Activity))
        {
            return;
        }

        _lastPushed = status;
        foreach (var watcher in _watchers)
        {
            watcher.Tell(status);
        }
    }
}
