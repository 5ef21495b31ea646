using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// What cluster clients talk to ("/user/nashpo-gateway" on every coordinator node, registered with the cluster
/// client receptionist): commands go to the coordinator singleton wherever it runs; reads come from the shared
/// journal here, so status and report work on any coordinator and never load the singleton.
/// </summary>
internal sealed class ClusterGateway : ReceiveActor
{
    public const string Name = "nashpo-gateway";

    public ClusterGateway(IActorRef coordinator)
    {
        // Logged, because a submit is the one command whose loss in a singleton hand-over the client cannot tell from
        // a slow answer: the log says how far it got (this gateway, then the singleton's "submit ... received").
        var log = Context.GetLogger();
        Receive<SubmitStudy>(submit =>
        {
            log.Info("submit of study {0} from {1}: forwarded to the coordinator singleton", submit.StudyId, Sender.Path.Address);
            coordinator.Forward(submit);
        });
        Receive<CancelStudy>(cancel => coordinator.Forward(cancel));
        Receive<ListStudies>(_ =>
        {
            var system = Context.System;
            JournalReader.ListStudiesAsync(system)
                .ContinueWith(ids => (object)(ids.IsCompletedSuccessfully ? new StudiesListed(ids.Result) : new Status.Failure(ids.Exception!.GetBaseException())), TaskScheduler.Default)
                .PipeTo(Sender);
        });
        Receive<GetStudyJournal>(query =>
        {
            var system = Context.System;
            JournalReader.ReadStudyEventsAsync(system, query.StudyId)
                .ContinueWith(events => (object)(events.IsCompletedSuccessfully ? new StudyJournal(query.StudyId, events.Result) : new Status.Failure(events.Exception!.GetBaseException())), TaskScheduler.Default)
                .PipeTo(Sender);
        });
    }

    public static Props Props(IActorRef coordinator) => Akka.Actor.Props.Create<ClusterGateway>(coordinator);
}
