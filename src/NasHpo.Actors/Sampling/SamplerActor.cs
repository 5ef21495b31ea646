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
/// <remarks>
/// A decision can be expensive (MS-EHVI fits Gaussian processes and builds a network per candidate to count its
/// parameters: seconds on a training study), so it runs on a thread-pool task rather than on the dispatcher thread
/// that other actors share. While that task owns the optimizer the actor stashes every message, so nothing else
/// reads or changes the optimizer meanwhile; the task's result comes back as a message (the task continuation and
/// the mailbox order the optimizer's writes before the actor's next read).
/// </remarks>
internal sealed class SamplerActor : SnapshottingActor
{
    private readonly IOptimizer _optimizer;
    private readonly List<ISamplerEvent> _facts = [];
    private readonly List<TrialRequest> _outstanding = [];
    private readonly HashSet<TrialId> _proposed = [];
    private readonly HashSet<TrialId> _observed = [];

    /// <param name="createOptimizer">
    /// Makes a fresh optimizer. The actor's supervisor restarts it with the same props after a failure (a journal
    /// write that failed, say); recovery then applies the journal's facts to a new optimizer rather than to the
    /// crashed incarnation's, which had already applied them.
    /// </param>
    public SamplerActor(string studyId, Func<IOptimizer> createOptimizer, int snapshotEvery)
        : base(studyId, snapshotEvery)
    {
        ArgumentNullException.ThrowIfNull(createOptimizer);
        PersistenceId = PersistenceIdFor(studyId);
        _optimizer = createOptimizer();

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

        Ready();
    }

    public override string PersistenceId { get; }

    /// <summary>Frozen: renaming it orphans every sampler journal.</summary>
    public static string PersistenceIdFor(string studyId) => $"sampler-{studyId}";

    public static Props Props(string studyId, Func<IOptimizer> createOptimizer, int snapshotEvery) =>
        Akka.Actor.Props.Create<SamplerActor>(studyId, createOptimizer, snapshotEvery);

    private void Ready()
    {
        Command<ObserveResults>(Observe);
        Command<RequestTrials>(Offer);
    }

    /// <summary>A task owns the optimizer: everything but its answer waits.</summary>
    private void Deciding()
    {
        Command<BatchDecided>(PersistDecisions);
        Command<Status.Failure>(failure => throw new OptimizerDecisionException($"{PersistenceId}: the optimizer failed while deciding: {failure.Cause.Message}", failure.Cause));
        CommandAny(_ => Stash.Stash());
    }

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
        var wanted = request.Count - offer.Count;
        if (wanted <= 0)
        {
            Sender.Tell(new TrialsOffered(request.Correlation, offer, _optimizer.OpenBracketIds.ToArray(), false));
            return;
        }

        var replyTo = Sender;
        var optimizer = _optimizer;
        Become(Deciding);
        Task.Run(() => Decide(optimizer, wanted))
            .PipeTo(Self, success: batch => new BatchDecided(batch.Requests, batch.Finished, request.Correlation, offer, replyTo));
    }

    /// <summary>
    /// Up to <paramref name="count"/> decisions. Each decision of a batch must see the ones before it, so they are
    /// applied as they are made. That is safe although it precedes the write: if the write fails the actor stops
    /// (Akka's rule for persistent actors) and its replacement recovers a fresh optimizer from the journal, which
    /// never heard of these decisions.
    /// </summary>
    private static (List<TrialRequest> Requests, bool Finished) Decide(IOptimizer optimizer, int count)
    {
        var decided = new List<TrialRequest>();
        while (decided.Count < count)
        {
            var decision = optimizer.Decide();
            if (decision is not OptimizerDecision.Run run)
            {
                return (decided, decision is OptimizerDecision.Finished);
            }

            decided.Add(run.Request);
            optimizer.Apply(run.Request);
        }

        return (decided, false);
    }

    private void PersistDecisions(BatchDecided batch)
    {
        var offer = batch.Offer;
        if (batch.Requests.Count == 0)
        {
            batch.ReplyTo.Tell(new TrialsOffered(batch.Correlation, offer, _optimizer.OpenBracketIds.ToArray(), batch.Finished && offer.Count == 0 && _outstanding.Count == 0));
            BackToReady();
            return;
        }

        var remaining = batch.Requests.Count;
        PersistAll(batch.Requests.Select(r => new TrialProposed(r)), proposed =>
        {
            Record(proposed);
            offer.Add(proposed.Request);
            if (--remaining == 0)
            {
                batch.ReplyTo.Tell(new TrialsOffered(batch.Correlation, offer, _optimizer.OpenBracketIds.ToArray(), false));
                SnapshotWhenDue(Snapshot);
            }
        });
        // Messages that arrive before the writes complete are stashed by the persistence machinery itself.
        BackToReady();
    }

    private void BackToReady()
    {
        Become(Ready);
        Stash.UnstashAll();
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

    /// <summary>A decision task's answer, for this actor alone (never persisted, never sent to another node).</summary>
    private sealed record BatchDecided(IReadOnlyList<TrialRequest> Requests, bool Finished, long Correlation, List<TrialRequest> Offer, IActorRef ReplyTo)
        : INoSerializationVerificationNeeded;
}

/// <summary>The optimizer threw while deciding; the sampler restarts and recovers a fresh optimizer from its journal.</summary>
internal sealed class OptimizerDecisionException(string message, Exception inner) : Exception(message, inner);
