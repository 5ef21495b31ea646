using Akka.Actor;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class BracketBookTests
{
    private readonly List<long> _made = [];

    [Fact]
    public void A_bracket_actor_is_made_for_the_first_trial_of_its_bracket_only()
    {
        var book = new BracketBook();
        book.Dispatching(0, Make);
        book.Dispatching(0, Make);
        book.Dispatching(2, Make);

        Assert.Equal([0, 2], _made);
        Assert.Equal(2, book.Count);
        Assert.Equal(2, book.InFlight(0));
        Assert.Equal(1, book.InFlight(2));
        Assert.Equal(0, book.InFlight(5));
    }

    [Fact]
    public void Only_brackets_the_sampler_closed_and_with_nothing_in_flight_are_closed()
    {
        var book = new BracketBook();
        book.Dispatching(0, Make);
        book.Dispatching(1, Make);
        book.Dispatching(2, Make);
        book.TrialFinished(0);
        book.TrialFinished(2);

        var closed = book.Close([2]);

        Assert.Equal([0L], closed.Select(c => c.Bracket));
        Assert.Equal(2, book.Count);
        Assert.Equal(1, book.InFlight(1));

        book.TrialFinished(1);
        Assert.Equal([1L, 2L], book.Close([]).Select(c => c.Bracket));
        Assert.Equal(0, book.Count);
    }

    [Fact]
    public void A_trial_that_finishes_after_its_bracket_is_gone_is_not_counted_and_counts_never_go_negative()
    {
        var book = new BracketBook();
        book.Dispatching(0, Make);
        book.TrialFinished(0);
        book.TrialFinished(0);
        Assert.Equal(0, book.InFlight(0));

        book.TrialFinished(7);
        Assert.Equal(0, book.InFlight(7));

        Assert.Single(book.Clear());
        book.TrialFinished(0);
        Assert.Equal(0, book.InFlight(0));
        Assert.Equal(0, book.Count);

        book.Dispatching(0, Make);
        Assert.Equal([0, 0], _made);
        Assert.Equal(1, book.InFlight(0));
    }

    private IActorRef Make(long bracket)
    {
        _made.Add(bracket);
        return ActorRefs.Nobody;
    }
}
