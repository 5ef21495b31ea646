using Akka.Actor;

namespace NasHpo.Actors.Studies;

/// <summary>
/// A study's bracket actors and how many of each one's trials are in flight. A bracket actor is made for the first
/// trial of its bracket and is stopped once the sampler no longer holds the bracket open and none of its trials is
/// in flight; the book says which, and the study does the stopping (and the clean-up that goes with it).
/// </summary>
internal sealed class BracketBook
{
    private readonly Dictionary<long, IActorRef> _actors = [];
    private readonly Dictionary<long, int> _inFlight = [];

    /// <summary>Brackets that have an actor.</summary>
    public int Count => _actors.Count;

    /// <summary>A trial of the bracket is dispatched: its actor (made by <paramref name="create"/> if it has none yet), with one more trial in flight.</summary>
    public IActorRef Dispatching(long bracket, Func<long, IActorRef> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (!_actors.TryGetValue(bracket, out var actor))
        {
            actor = create(bracket);
            _actors[bracket] = actor;
        }

        _inFlight[bracket] = _inFlight.GetValueOrDefault(bracket) + 1;
        return actor;
    }

    /// <summary>A trial of the bracket finished; a bracket that was closed or cleared meanwhile is not counted again.</summary>
    public void TrialFinished(long bracket)
    {
        if (_inFlight.TryGetValue(bracket, out var count))
        {
            _inFlight[bracket] = Math.Max(0, count - 1);
        }
    }

    /// <summary>Trials of the bracket in flight.</summary>
    public int InFlight(long bracket) => _inFlight.GetValueOrDefault(bracket);

    /// <summary>Removes and returns every bracket that is not <paramref name="open"/> and has nothing in flight.</summary>
    public List<(long Bracket, IActorRef Actor)> Close(IReadOnlyCollection<long> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        var closed = new List<(long, IActorRef)>();
        foreach (var (index, actor) in _actors.ToArray())
        {
            if (!open.Contains(index) && _inFlight.GetValueOrDefault(index) == 0)
            {
                _actors.Remove(index);
                _inFlight.Remove(index);
                closed.Add((index, actor));
            }
        }

        return closed;
    }

    /// <summary>Removes and returns every bracket's actor: the study stops all its trials.</summary>
    public List<IActorRef> Clear()
    {
        var all = _actors.Values.ToList();
        _actors.Clear();
        _inFlight.Clear();
        return all;
    }
}
