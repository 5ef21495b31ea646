using Akka.Actor;
using NasHpo.Actors.Trials;
using NasHpo.Core.Optimizers;
using NasHpo.Actors.Devices;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Brackets;

/// <summary>Starts a trial of this bracket unless it is already running.</summary>
internal sealed record DispatchTrial(TrialRequest Request);

/// <summary>
/// One successive-halving bracket (or one generation / phase for the evolutionary methods): parent of its trial
/// actors, named "bracket-{k}". Its rung and promotion decisions are taken by the optimizer in Core and recorded
/// in the sampler's journal, so the bracket holds nothing a crash could lose and persists nothing itself.
/// </summary>
internal sealed class BracketActor : ReceiveActor
{
    public BracketActor(TrialExecution execution, IActorRef pool, IActorRef study, ChildMaker makeTrial)
    {
        Receive<DispatchTrial>(dispatch =>
        {
            var name = dispatch.Request.Id.ToString();
            if (Context.Child(name).IsNobody())
            {
                makeTrial(Context, TrialActor.Props(dispatch.Request, execution, pool, study), name);
            }
        });
    }

    public static Props Props(TrialExecution execution, IActorRef pool, IActorRef study, ChildMaker makeTrial) =>
        Akka.Actor.Props.Create<BracketActor>(execution, pool, study, makeTrial);

    public static string NameOf(long bracket) => $"bracket-{bracket}";
}
