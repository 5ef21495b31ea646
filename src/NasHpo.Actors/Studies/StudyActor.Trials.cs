using Akka.Actor;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Brackets;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Trials;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Studies;

/// <summary>
/// How the study runs its trials and records them: dispatching through bracket actors (<see cref="BracketBook"/>),
/// turning what devices report into ledger facts, grouping the facts that arrive while a write is in flight into one
/// write, and, once a write is done, passing outcomes on to the sampler and the archive and cleaning up after them.
/// Every side effect here follows a fact already in the journal, which is what makes recovery safe.
/// </summary>
internal sealed partial class StudyActor
{
    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private void Dispatch(TrialRequest request)
    {
        if (_stopped || _execution is null)
        {
            return;
        }

        var execution = _execution;
        var bracket = _brackets.Dispatching(request.Bracket, index => _children.Bracket(Context, BracketActor.Props(execution, _devices, Self, _children.Trial), BracketActor.NameOf(index)));
        bracket.Tell(new DispatchTrial(request));
    }

    private void StopClosedBrackets(IReadOnlyCollection<long> open)
    {
        foreach (var (index, bracket) in _brackets.Close(open))
        {
            Context.Stop(bracket);

            // A closed bracket promotes nothing more: its lower-budget states will never be continued.
            _checkpoints?.AfterBracketClosed(_ledger.TrialsOfBracket(index));
        }
    }

    private void OnTrialStarted(TrialStartedOnDevice started)
    {
        if (_ledger.IsWaitingToStart(started.Trial) && !_finishing.Contains(started.Trial))
        {
            Enqueue(new TrialStarted(started.Trial, started.DeviceName, DateTimeOffset.UtcNow));
        }
    }

    private void OnTrialFinished(TrialFinished finished)
    {
        if (!_ledger.IsUnfinished(finished.Trial) || !_finishing.Add(finished.Trial))
        {
            return;
        }

        _activity.Remove(finished.Trial);
        var checkpoint = _checkpoints?.Store.SavedStateName(finished.Trial);
        Enqueue(TrialOutcome.Record(_definition!.Objectives, finished, checkpoint, DateTimeOffset.UtcNow));
    }

    private void Enqueue(IStudyEvent e)
    {
        _unwritten.Add(e);
        if (!_flushQueued)
        {
            // The flush goes to the back of the mailbox, so everything that arrived before it joins this write.
            _flushQueued = true;
            Self.Tell(Flush.Instance);
        }
    }

    private void OnFlush()
    {
        _flushQueued = false;
        if (_unwritten.Count == 0)
        {
            return;
        }

        var batch = _unwritten.ToArray();
        _unwritten.Clear();
        var remaining = batch.Length;
        PersistAll(batch, e =>
        {
            _ledger.Apply(e);
            if (--remaining == 0)
            {
                AfterWrite(batch);
            }
        });
    }

    private void AfterWrite(IStudyEvent[] batch)
    {
        var results = new List<TrialResult>();
        var evaluations = new List<Evaluation>();
        foreach (var e in batch)
        {
            switch (e)
            {
                case TrialScheduled scheduled:
                    _flow.Close();
                    Dispatch(scheduled.Request);
                    break;
                case TrialCompleted completed:
                    results.Add(TrialResult.Completed(completed.Trial, completed.Objectives));
                    evaluations.Add(new Evaluation(completed.Trial, completed.Objectives));
                    Finished(completed.Trial);
                    break;
                case TrialFailed failed:
                    results.Add(TrialResult.Failure(failed.Trial, failed.Reason));
                    Finished(failed.Trial);
                    break;
            }
        }

        if (results.Count > 0)
        {
            _sampler.Tell(new ObserveResults(results));
        }

        if (evaluations.Count > 0)
        {
            _archiveSync.Sending(evaluations.Count);
            _archive.Tell(new ArchiveEvaluations(evaluations));
        }

        Pump();
    }

    private void Finished(TrialId trial)
    {
        _finishing.Remove(trial);
        var entry = _ledger[trial];
        _brackets.TrialFinished(entry.Request.Bracket);
        _checkpoints?.AfterTrialFinished(entry.Request);
        _budget!.Charge(entry);
    }
}
