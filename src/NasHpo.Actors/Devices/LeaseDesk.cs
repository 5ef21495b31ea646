using Akka.Actor;
using NasHpo.Core.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Devices;

/// <summary>
/// The actor side of a <see cref="LeaseBook{TDevice, TLessee}"/>, shared by the node's pool and the cluster's: each
/// grant becomes a <see cref="DeviceLeased"/> to a lessee the pool watches (a trial that dies loses its lease), and a
/// lessee left with nothing in the book is unwatched. Used only from the owning actor's message handlers.
/// </summary>
internal sealed class LeaseDesk
{
    private readonly IActorContext _context;

    public LeaseDesk(IActorContext context) => _context = context;

    public LeaseBook<IActorRef, IActorRef> Book { get; } = new();

    /// <summary>Tells each lessee its device, watching it until it holds and waits for nothing.</summary>
    public void Lend(IReadOnlyList<LeaseBook<IActorRef, IActorRef>.Grant> grants)
    {
        foreach (var grant in grants)
        {
            _context.Watch(grant.Lessee);
            grant.Lessee.Tell(new DeviceLeased(grant.Trial, grant.Device, grant.Name), _context.Self);
        }
    }

    /// <summary>Ends a trial's lease of a device (a stale release is ignored by the book) and lends it on.</summary>
    public void Release(string device, TrialId trial)
    {
        var lessee = Book.LeaseOf(device)?.Lessee;
        Lend(Book.Release(device, trial));
        if (lessee is not null)
        {
            UnwatchIfDone(lessee);
        }
    }

    public void UnwatchIfDone(IActorRef lessee)
    {
        if (!Book.Involves(lessee))
        {
            _context.Unwatch(lessee);
        }
    }
}
