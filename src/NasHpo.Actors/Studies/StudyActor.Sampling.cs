using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Sampling;

namespace NasHpo.Actors.Studies;

/// <summary>
/// The study's side of the conversation with its sampler: when to ask for trials and how many
/// (<see cref="SamplerFlow"/>), what to do with an offer, and how a request that got no answer, or an empty one, is
/// asked again. Kept apart from the lifecycle so that the flow-control rules read in one place.
/// </summary>
internal sealed partial class StudyActor
{
    private sealed record OfferTimedOut(long Correlation);

    /// <summary>The optimizer had nothing to run while nothing ran: ask again after a pause.</summary>
    private sealed record AskAgain(long Correlation);

    private void Pump()
    {
        if (_ledger.Finished is not null || _archiveSync.PendingFinish is not null || _stopped || _flow.IsWaiting || _definition is null)
        {
            return;
        }

        var finished = _ledger.Evaluations;
        var inFlight = _ledger.InFlight.Count;
        var demand = SamplerFlow.Demand(
            SamplerFlow.Capacity(_definition.Devices, _settings.PrefetchPerDevice),
            _definition.Stop.MaxEvaluations,
            finished,
            inFlight,
            _budget!.Left(_ledger),
            _definition.Optimizer.MaxBudget);
        if (demand.FinishReason is { } reason)
        {
            Finish(reason);
            return;
        }

        if (demand.Count <= 0)
        {
            return;
        }

        var request = _flow.Ask(demand.Count, _ledger.InFlight, finished);
        _sampler.Tell(request);
        Timers.StartSingleTimer(OfferTimer, new OfferTimedOut(request.Correlation), _settings.OfferTimeout);
    }

    private void OnTrialsOffered(TrialsOffered offer)
    {
        if (!_flow.IsOpen(offer.Correlation))
        {
            return;
        }

        Timers.Cancel(OfferTimer);
        StopClosedBrackets(offer.OpenBrackets);

        var fresh = offer.Trials.Where(t => !_ledger.Contains(t.Id)).Select(t => new TrialScheduled(t, DateTimeOffset.UtcNow)).ToArray();
        if (fresh.Length == 0)
        {
            _flow.Close();
            if (_ledger.Finished is not null)
            {
                return;
            }

            if (_flow.ResultsArrivedSinceAsked(_ledger.Evaluations))
            {
                // Results came in while the sampler decided, and it answered without them: the last result of a
                // rung, say, whose promotions it could not yet see. Ask again now rather than wait for the next
                // result (or, with nothing running, for the retry below).
                Pump();
            }
            else if (_ledger.InFlight.Count == 0)
            {
                if (offer.Finished)
                {
                    Finish("optimizer-finished");
                }
                else
                {
                    _log.Warning("study {0}: the optimizer proposes nothing while no trial runs; asking again shortly", _studyId);
                    Timers.StartSingleTimer(OfferTimer, new AskAgain(_flow.HoldOpen()), TimeSpan.FromMilliseconds(200));
                }
            }

            return;
        }

        // The offer stays open until the trials are written: no second request can race the first one's trials.
        foreach (var scheduled in fresh)
        {
            Enqueue(scheduled);
        }
    }

    private void OnResultsMissing(ResultsMissing missing)
    {
        if (!_flow.IsOpen(missing.Correlation))
        {
            return;
        }

        _flow.Close();
        Timers.Cancel(OfferTimer);
        _sampler.Tell(new ObserveResults(_ledger.FinishedResults()));
        Pump();
    }

    private void OnOfferTimedOut(OfferTimedOut timeout)
    {
        if (_flow.IsOpen(timeout.Correlation))
        {
            _log.Warning("study {0}: the sampler did not answer request {1} within {2}; asking again", _studyId, timeout.Correlation, _settings.OfferTimeout);
            _flow.Close();
            Pump();
        }
    }

    private void OnAskAgain(AskAgain again)
    {
        if (_flow.IsOpen(again.Correlation))
        {
            _flow.Close();
            Pump();
        }
    }
}
