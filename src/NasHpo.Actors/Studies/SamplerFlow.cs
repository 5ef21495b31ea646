using NasHpo.Actors.Sampling;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Studies;

/// <summary>How many trials a study asks its sampler for next, or why it asks for none and finishes instead.</summary>
internal readonly record struct TrialDemand(int Count, string? FinishReason);

/// <summary>
/// A study's flow control towards its sampler. At most one request for trials is open at a time, known by its
/// correlation so that a late answer to a request the study gave up on is ignored; it stays open until the offered
/// trials are written, so no second request can race the first one's trials. How many trials to ask for follows
/// from the devices, the trials in flight and the stop criteria (<see cref="Demand"/>).
/// </summary>
internal sealed class SamplerFlow
{
    private long _correlation;
    private long? _awaiting;
    private int _finishedWhenAsked;

    /// <summary>A request is open: the study asks for nothing more until it is answered or given up.</summary>
    public bool IsWaiting => _awaiting is not null;

    /// <summary>The correlation is that of the open request (an answer to it is to be acted on).</summary>
    public bool IsOpen(long correlation) => _awaiting == correlation;

    /// <summary>Opens a new request for <paramref name="count"/> trials; <paramref name="finished"/> is how many results the study has.</summary>
    public RequestTrials Ask(int count, IReadOnlySet<TrialId> inFlight, int finished)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        var correlation = ++_correlation;
        _awaiting = correlation;
        _finishedWhenAsked = finished;
        return new RequestTrials(correlation, count, inFlight.ToHashSet(), finished);
    }

    /// <summary>The open request is answered, or given up: the study may ask again.</summary>
    public void Close() => _awaiting = null;

    /// <summary>Keeps the last request open while the study waits to ask again, so nothing else asks meanwhile; returns its correlation.</summary>
    public long HoldOpen()
    {
        _awaiting = _correlation;
        return _correlation;
    }

    /// <summary>Results came in after the last request was made: the sampler answered without them.</summary>
    public bool ResultsArrivedSinceAsked(int finished) => finished > _finishedWhenAsked;

    /// <summary>Trials a study keeps in flight: one on a single device, else each device's trial and its prefetch.</summary>
    public static int Capacity(int devices, int prefetchPerDevice) => devices == 1 ? 1 : devices * (1 + prefetchPerDevice);

    /// <summary>
    /// How many trials to ask for, given the results so far, the trials in flight, the evaluation limit and the budget
    /// left (null: no budget limit). What the trials in flight will cost is known only roughly, and the budgets of those
    /// not yet proposed not at all: it asks for no more than could each run at the maximum budget within what is left,
    /// so that the study passes its limit by less than one trial. Once the budget is gone the study finishes as soon
    /// as nothing runs.
    /// </summary>
    public static TrialDemand Demand(int capacity, int? maxEvaluations, int finished, int inFlight, double? budgetLeft, double maxBudget)
    {
        var max = maxEvaluations ?? int.MaxValue;
        if (finished >= max)
        {
            return new TrialDemand(0, "max-evaluations");
        }

        var want = Math.Min(capacity - inFlight, max - finished - inFlight);
        if (budgetLeft is { } left)
        {
            if (left <= 0)
            {
                return new TrialDemand(0, inFlight == 0 ? "max-budget-spent" : null);
            }

            want = Math.Min(want, (int)Math.Min(int.MaxValue, Math.Ceiling(left / maxBudget)));
        }

        return new TrialDemand(Math.Max(want, 0), null);
    }
}
