using Akka.Actor;
using Akka.Persistence;
using NasHpo.Actors.Persistence;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Sampling;

/// <summary>
/// Holds the study's optimizer ("sampler-{id}"). It decides with Core, persists each decision as
/// <see cref="TrialProposed"/> before offering it, and persists each result it takes into account as
/// <see cref="ResultObserved"/>; recovery applies those facts in order and so rebuilds the optimizer exactly,
/// without sampling anything again.
/// </summary>
public sealed class SamplerActor : SnapshottingActor
{
    private readonly IOptimizer _optimizer;
    private readonly List<ISamplerEvent> _facts = [];
    private readonly List<TrialRequest> _outstanding = [];
    private readonly HashSet<TrialId> _proposed = [];
    private readonly HashSet<TrialId> _observed = [];

    public SamplerActor(string studyId, IOptimizer optimizer, int snapshotEvery)
        : base(snapshotEvery)
    {
        PersistenceId = PersistenceIdFor(studyId);
        _optimizer = optimizer;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is SamplerSnapshot snapshot)
            {
                foreach (var fact in snapshot.Facts)
                {
                    Apply(fact);
                }
            }
        });
        Recover<ISamplerEvent>(Apply);

        Command<ObserveResults>(Observe);
        Command<RequestTrials>(Offer);
    }

    public override string PersistenceId { get; }

    /// <summary>Frozen: renaming it orphans every sampler journal.</summary>
    public static string PersistenceIdFor(string studyId) => $"sampler-{studyId}";

    public static Props Props(string studyId, IOptimizer optimizer, int snapshotEvery) =>
        Akka.Actor.Props.Create<SamplerActor>(studyId, optimizer, snapshotEvery);

    private void Observe(ObserveResults message)
    {
        var fresh = message.Results
            .Where(r => _proposed.Contains(r.Id) && !_observed.Contains(r.Id))
            .DistinctBy(r => r.Id)
            .Select(r => new ResultObserved(r))
            .ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        PersistAll(fresh, observed =>
        {
            Apply(observed);
            SnapshotWhenDue(Snapshot);
        });
    }

    private void Offer(RequestTrials request)
    {
        if (_observed.Count < request.FinishedCount)
        {
            Sender.Tell(new ResultsMissing(request.Correlation, _observed.Count));
            return;
        }

        var offer = _outstanding.Where(r => !request.InFlight.Contains(r.Id)).Take(request.Count).ToList();
        var decided = new List<TrialProposed>();
        var finished = false;

        // Each decision of a batch must see the ones before it, so they are applied as they are made. That is
        // safe although it precedes the write: if the write fails the actor stops (Akka's rule for persistent
        // actors) and its replacement recovers from the journal, which never heard of these decisions.
        while (offer.Count + decided.Count < request.Count)
        {
            var decision = _optimizer.Decide();
            if (decision is not OptimizerDecision.Run run)
            {
                finished = decision is OptimizerDecision.Finished;
                break;
            }

            var proposed = new TrialProposed(run.Request);
            decided.Add(proposed);
            _optimizer.Apply(run.Request);
        }

        var replyTo = Sender;
        if (decided.Count == 0)
        {
            replyTo.Tell(new TrialsOffered(request.Correlation, offer, _optimizer.OpenBracketIds.ToArray(), finished && offer.Count == 0 && _outstanding.Count == 0));
            return;
        }

        var remaining = decided.Count;
        PersistAll(decided, proposed =>
        {
            Record(proposed);
            offer.Add(proposed.Request);
            if (--remaining == 0)
            {
                replyTo.Tell(new TrialsOffered(request.Correlation, offer, _optimizer.OpenBracketIds.ToArray(), false));
                SnapshotWhenDue(Snapshot);
            }
        });
    }

    private void Apply(ISamplerEvent fact)
    {
        switch (fact)
        {
            case TrialProposed proposed:
                _optimizer.Apply(proposed.Request);
                Record(proposed);
                break;
            case ResultObserved observed:
                _optimizer.Apply(observed.Result);
                _observed.Add(observed.Result.Id);
                _outstanding.RemoveAll(r => r.Id == observed.Result.Id);
                _facts.Add(observed);
                break;
        }
    }

    private void Record(TrialProposed proposed)
    {
        if (_proposed.Add(proposed.Request.Id))
        {
            _outstanding.Add(proposed.Request);
            _facts.Add(proposed);
        }
    }

    private SamplerSnapshot Snapshot() => new(_facts.ToArray());
}
