using Akka.Actor;
using Akka.Event;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Actors.Cluster;

/// <summary>
/// The coordinator singleton's side of the study leases: a study starts only once this node holds its lease. The
/// leases belong to the node's <see cref="StudyLeases"/> (whose group is the cluster), so a successor singleton on
/// another node of the same cluster takes them over at once, while an engine outside the cluster (a lone `nashpo
/// run`, another cluster on the same database) keeps the study until it stops or its lease expires. Taking a lease
/// talks to the database: it runs as a task whose outcome comes back as a message, never blocking the actor.
/// </summary>
internal sealed class CoordinatorLeases
{
    private readonly StudyLeases? _leases;
    private readonly IActorRef _self;
    private readonly ActorSystem _system;
    private readonly HashSet<string> _holding = new(StringComparer.Ordinal);
    private volatile bool _stopped;

    public CoordinatorLeases(StudyLeases? leases, IActorRef self, ActorSystem system)
    {
        _leases = leases;
        _self = self;
        _system = system;
    }

    /// <summary>Takes the study's lease, then (through <see cref="Acquired"/>) starts it.</summary>
    public void Start(string studyId, StudyDefinition? definition)
    {
        if (_leases is null)
        {
            _self.Tell(new Acquired(studyId, definition));
            return;
        }

        var leases = _leases;
        var self = _self;
        leases.Lost -= OnLeaseLost;
        leases.Lost += OnLeaseLost;
        _ = Task.Run(async () =>
        {
            try
            {
                await leases.AcquireAsync(studyId).ConfigureAwait(false);
                if (_stopped)
                {
                    // The singleton stopped (handed over) while the lease was being taken: its successor takes it.
                    leases.Release(studyId);
                    return;
                }

                self.Tell(new Acquired(studyId, definition));
            }
#pragma warning disable CA1031 // Held elsewhere or the database unreachable: retried after a while.
            catch (Exception error)
#pragma warning restore CA1031
            {
                self.Tell(new Refused(studyId, definition, error.Message));
            }
        });
    }

    public void OnRefused(Refused refused, ILoggingAdapter log)
    {
        var delay = _leases?.Settings.TimeToLive ?? TimeSpan.FromSeconds(20);
        log.Warning("study {0} not started here: {1}; trying again in {2} s", refused.StudyId, refused.Reason, delay.TotalSeconds);
        _system.Scheduler.ScheduleTellOnce(delay, _self, new Retry(refused.StudyId, refused.Definition), ActorRefs.NoSender);
    }

    public void OnAcquired(Acquired acquired) => _holding.Add(acquired.StudyId);

    public void OnLost(Lost lost, IActorRef manager, ILoggingAdapter log)
    {
        _holding.Remove(lost.StudyId);
        log.Error("study {0} stopped on this coordinator: {1}", lost.StudyId, lost.Reason);
        // The backoff supervisor of the study, and the study with it, stop without another write.
        _system.ActorSelection(manager.Path / StudyManager.NameOf(lost.StudyId)).Tell(PoisonPill.Instance);
    }

    public void ReleaseAll()
    {
        _stopped = true;
        if (_leases is null)
        {
            return;
        }

        _leases.Lost -= OnLeaseLost;
        var leases = _leases;
        var held = _holding.ToArray();
        _holding.Clear();
        _ = Task.Run(() =>
        {
            foreach (var studyId in held)
            {
                leases.Release(studyId);
            }
        });
    }

    private void OnLeaseLost(string studyId, string reason) => _self.Tell(new Lost(studyId, reason));

    internal sealed record Acquired(string StudyId, StudyDefinition? Definition);

    internal sealed record Refused(string StudyId, StudyDefinition? Definition, string Reason);

    internal sealed record Lost(string StudyId, string Reason);

    internal sealed record Retry(string StudyId, StudyDefinition? Definition);
}
