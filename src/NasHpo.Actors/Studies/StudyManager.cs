using Akka.Actor;
using Akka.Pattern;
using NasHpo.Actors.Cluster;
using NasHpo.Configuration;

namespace NasHpo.Actors.Studies;

/// <summary>Starts a new study (with its definition) or resumes one from its journal (without).</summary>
public sealed record StartStudy(string StudyId, StudyDefinition? Definition);

/// <summary>The study actor exists and is recovering or running.</summary>
public sealed record StudyStarting(string StudyId);

/// <summary>
/// "/user/studies": creates and finds study actors. Each study runs under a backoff supervisor named
/// "study-{id}", so a study whose journal write failed comes back after a pause and resumes from its journal.
/// </summary>
public sealed class StudyManager : ReceiveActor
{
    public StudyManager(StudyEnvironment environment)
    {
        Receive<StartStudy>(start =>
        {
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
        Receive<WatchStudy>(watch => Route(watch.StudyId, watch, () => NotFound(watch.StudyId)));
        Receive<StopStudy>(stop => Route(stop.StudyId, stop, () => new StudyStopped(stop.StudyId)));
        Receive<CancelStudy>(cancel => Route(cancel.StudyId, cancel, () => new StudyCancelled(cancel.StudyId, false, "not running")));
    }

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
