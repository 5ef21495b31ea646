using Akka.Actor;

namespace NasHpo.Actors.Studies;

/// <summary>Makes one child of an actor from the props the actor would start it with and its name.</summary>
internal delegate IActorRef ChildMaker(IUntypedActorContext context, Props props, string name);

/// <summary>
/// How a study makes its children: its sampler, its Pareto archive, its brackets, and the brackets' trials. Each
/// starts the child by default; a test puts a TestKit probe in one's place to see what the study asks of it and to
/// answer as that child would. (The device pool the trials lease from is <see cref="StudyEnvironment.Devices"/>, which
/// a probe can stand in for just as well.)
/// </summary>
internal sealed record StudyChildren
{
    /// <summary>Every child started for real.</summary>
    public static StudyChildren Started { get; } = new();

    /// <summary>The sampler, under its backoff supervisor ("sampler").</summary>
    public ChildMaker Sampler { get; init; } = Start;

    /// <summary>The Pareto archive, under its backoff supervisor ("archive").</summary>
    public ChildMaker Archive { get; init; } = Start;

    /// <summary>A bracket ("bracket-{k}"), the parent of its trials.</summary>
    public ChildMaker Bracket { get; init; } = Start;

    /// <summary>A trial ("trial-{n}-b{budget}"), made by its bracket.</summary>
    public ChildMaker Trial { get; init; } = Start;

    private static IActorRef Start(IUntypedActorContext context, Props props, string name) => context.ActorOf(props, name);
}
