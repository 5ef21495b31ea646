using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using NasHpo.Actors.Cluster;
using NasHpo.Configuration;

namespace NasHpo.Actors.Studies;

/// <summary>Starts a new study (with its definition) or resumes one from its journal (without).</summary>
internal sealed record StartStudy(string StudyId, StudyDefinition? Definition);

/// <summary>The study actor exists and is recovering or running.</summary>
internal sealed record StudyStarting(string StudyId);

/// <summary>
/// "/user/studies": creates and finds study actors. Each study runs under a backoff supervisor named
/// "study-{id}", so a study whose journal write failed comes back after a pause and resumes from its journal. A study
/// whose actors cannot recover from the journal or write for lack of space (<see cref="StudyFaulted"/>) would fail
/// every restart: it is stopped, logged in one line, and its watchers are told; the other studies run on.
/// </summary>
internal sealed class StudyManager : ReceiveActor
{
    private readonly Dictionary<string, StudyFaulted> _faults = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public StudyManager(StudyEnvironment environment)
    {
        Receive<StudyFaulted>(fault =>
        {
            var child = Context.Child(NameOf(fault.StudyId));
            if (child.IsNobody() || !_faults.TryAdd(fault.StudyId, fault))
            {
                return; // Another engine's study on this actor system, or the same study's second actor failing.
            }

            Context.Stop(child);
            _log.Error("study {0} stopped: {1}", fault.StudyId, fault.Reason);
        });
        Receive<StartStudy>(start =>
        {
            // Starting it again is the caller's choice (the cause may be fixed); it recovers from the journal anew.
            _faults.Remove(start.StudyId);
            var name = NameOf(start.StudyId);
            if (Context.Child(name).IsNobody())
            {
                var study = StudyActor.Props(environment, start.StudyId, start.Definition);
                var settings = environment.Settings;
                Context.ActorOf(BackoffSupervisor.Props(study, "study", settings.MinBackoff, settings.MaxBackoff, 0.2), name);
            }

            Sender.Tell(new StudyStarting(start.StudyId));
        });
        Receive<GetStudyStatus>(query => Route(query.StudyId, query, () => NotFound(query.StudyId)));
        Receive<WatchStudy>(watch => Route(watch.StudyId, watch, () => _faults.TryGetValue(watch.StudyId, out var fault) ? fault : NotFound(watch.StudyId)));
        Receive<StopStudy>(stop => Route(stop.StudyId, stop, () => new StudyStopped(stop.StudyId)));
        Receive<CancelStudy>(cancel => Route(cancel.StudyId, cancel, () => new StudyCancelled(cancel.StudyId, false, "not running")));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(StudyFaulted));

    public static Props Props(StudyEnvironment environment) =>
        Akka.Actor.Props.Create<StudyManager>(environment);

    public static string NameOf(string studyId) => $"study-{studyId}";

    private static StudyStatus NotFound(string studyId) =>
        new(studyId, StudyState.NotFound, 0, 0, 0, 0, 0, 0, null, null, TimeSpan.Zero, null, null, []);

    private void Route(string studyId, object message, Func<object> whenAbsent)
    {
        var child = Context.Child(NameOf(studyId));
        if (child.IsNobody())
        {
            Sender.Tell(whenAbsent());
        }
        else
        {
            child.Forward(message);
        }
    }
}
