using NasHpo.Core.Optimizers;

namespace NasHpo.Core.Devices;

/// <summary>
/// Who may use which device: the devices known (each perhaps of a group, a cluster node), the trial that leases each
/// busy one, and the requests that wait, served in arrival order, each by the free device with the smallest name.
/// A pure book: the lease actor owns one and turns its answers into messages, whether its devices are a node's own
/// or announced by the nodes of a cluster. Every method that can free a device returns the leases it granted.
/// <para>
/// A busy device that <see cref="AllowQueue">takes a queue</see> may also be leased to one more trial, which the
/// device holds and starts the moment its run ends, without a round trip to the lease actor (across nodes, two
/// network hops per trial: at 50 ms trials that is about a tenth of the device's time). Free devices are always
/// served first, so a queued lease is only made while every device is busy; when the running lease ends, the queued
/// one becomes the running one.
/// </para>
/// </summary>
/// <typeparam name="TDevice">What a lessee is handed (a device actor).</typeparam>
/// <typeparam name="TLessee">Who leases (a trial actor); compared with its own equality.</typeparam>
internal sealed class LeaseBook<TDevice, TLessee>
    where TLessee : notnull
{
    private readonly Dictionary<string, (TDevice Device, string? Group)> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queueing = new(StringComparer.Ordinal);
    private readonly LinkedList<(TrialId Trial, TLessee Lessee)> _waiting = new();
    private readonly SortedSet<string> _free = new(StringComparer.Ordinal);

    /// <summary>A device leased to a trial.</summary>
    public sealed record Lease(TrialId Trial, TLessee Lessee);

    /// <summary>
    /// A lease just granted: tell <paramref name="Lessee"/> it may use <paramref name="Device"/>; when
    /// <paramref name="Queued"/>, the device is still running another trial and starts this one after it.
    /// </summary>
    public sealed record Grant(TrialId Trial, TLessee Lessee, string Name, TDevice Device, bool Queued = false);

    /// <summary>The devices' names, in order.</summary>
    public IReadOnlyList<string> Names => [.. _devices.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Leases held, running and queued.</summary>
    public int Leased => _leases.Count + _queued.Count;

    public int Waiting => _waiting.Count;

    public bool Contains(string name) => _devices.ContainsKey(name);

    public bool TryGetDevice(string name, out TDevice device)
    {
        var known = _devices.TryGetValue(name, out var entry);
        device = entry.Device;
        return known;
    }

    /// <summary>The devices of a group (a node), in order.</summary>
    public IReadOnlyList<string> DevicesOf(string group) =>
        [.. _devices.Where(d => d.Value.Group == group).Select(d => d.Key).Order(StringComparer.Ordinal)];

    /// <summary>The running lease of a device, if it is leased.</summary>
    public Lease? LeaseOf(string name) => _leases.GetValueOrDefault(name);

    /// <summary>The queued lease of a device: the trial it starts when its run ends.</summary>
    public Lease? QueuedOn(string name) => _queued.GetValueOrDefault(name);

    /// <summary>Whether the lessee holds a lease, running or queued, or waits for one (whether its end matters to the book).</summary>
    public bool Involves(TLessee lessee) =>
        _leases.Values.Concat(_queued.Values).Any(l => EqualityComparer<TLessee>.Default.Equals(l.Lessee, lessee))
        || _waiting.Any(w => EqualityComparer<TLessee>.Default.Equals(w.Lessee, lessee));

    /// <summary>
    /// Whether the device may hold one queued trial while it runs another. The lease actor decides (for example: only
    /// while the device's runs are short, so a queued trial never waits long behind it); withdrawing it keeps a
    /// queued lease already made.
    /// </summary>
    public IReadOnlyList<Grant> AllowQueue(string name, bool allowed)
    {
        if (!_devices.ContainsKey(name))
        {
            return [];
        }

        if (!allowed)
        {
            _queueing.Remove(name);
            return [];
        }

        return _queueing.Add(name) ? Serve() : [];
    }

    /// <summary>A device joins, free. A name already known is replaced (its lease, if any, revoked first).</summary>
    public IReadOnlyList<Grant> Add(string name, TDevice device, string? group = null)
    {
        Remove(name);
        _devices[name] = (device, group);
        _free.Add(name);
        return Serve();
    }

    /// <summary>A device leaves; its leases, running and queued, are revoked and returned (the lessees must ask again).</summary>
    public IReadOnlyList<Lease> Remove(string name)
    {
        if (!_devices.Remove(name))
        {
            return [];
        }

        _free.Remove(name);
        _queueing.Remove(name);
        var revoked = new List<Lease>(2);
        if (_leases.Remove(name, out var running))
        {
            revoked.Add(running);
        }

        if (_queued.Remove(name, out var queued))
        {
            revoked.Add(queued);
        }

        return revoked;
    }

    /// <summary>A trial asks for a device: granted now if one is free, else once one is.</summary>
    public IReadOnlyList<Grant> Request(TrialId trial, TLessee lessee)
    {
        _waiting.AddLast((trial, lessee));
        return Serve();
    }

    /// <summary>
    /// The trial no longer holds the device. Ignored unless it still does: the device's own report that its run
    /// ended and the trial's release both arrive, whichever first frees it. A running lease that ends hands the device
    /// to its queued trial (which the device has already started), else frees it; a queued lease that ends (the trial
    /// stopped before its turn) only leaves the queue.
    /// </summary>
    public IReadOnlyList<Grant> Release(string name, TrialId trial)
    {
        if (_queued.TryGetValue(name, out var waiting) && waiting.Trial == trial)
        {
            _queued.Remove(name);
            return Serve();
        }

        if (!_leases.TryGetValue(name, out var lease) || lease.Trial != trial)
        {
            return [];
        }

        _leases.Remove(name);
        if (_queued.Remove(name, out var next))
        {
            _leases[name] = next;
        }
        else if (_devices.ContainsKey(name))
        {
            _free.Add(name);
        }

        return Serve();
    }

    /// <summary>Withdraws a request not yet served.</summary>
    public void Cancel(TrialId trial, TLessee lessee)
    {
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            if (node.Value.Trial == trial && EqualityComparer<TLessee>.Default.Equals(node.Value.Lessee, lessee))
            {
                _waiting.Remove(node);
                return;
            }
        }
    }

    /// <summary>The lessee is gone: its leases are released and its requests dropped.</summary>
    public IReadOnlyList<Grant> Forget(TLessee lessee)
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (EqualityComparer<TLessee>.Default.Equals(node.Value.Lessee, lessee))
            {
                _waiting.Remove(node);
            }

            node = next;
        }

        var grants = new List<Grant>();
        foreach (var (name, lease) in _queued.Concat(_leases).Where(l => EqualityComparer<TLessee>.Default.Equals(l.Value.Lessee, lessee)).ToArray())
        {
            grants.AddRange(Release(name, lease.Trial));
        }

        return grants;
    }

    private List<Grant> Serve()
    {
        var grants = new List<Grant>();
        while (_free.Count > 0 && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            var name = _free.Min!;
            _free.Remove(name);
            _leases[name] = new Lease(first.Value.Trial, first.Value.Lessee);
            grants.Add(new Grant(first.Value.Trial, first.Value.Lessee, name, _devices[name].Device));
        }

        // Only while no device is free: a busy device that takes a queue holds the next request.
        foreach (var name in _queueing.Order(StringComparer.Ordinal))
        {
            if (_waiting.First is not { } next)
            {
                break;
            }

            if (_leases.ContainsKey(name) && !_queued.ContainsKey(name))
            {
                _waiting.RemoveFirst();
                _queued[name] = new Lease(next.Value.Trial, next.Value.Lessee);
                grants.Add(new Grant(next.Value.Trial, next.Value.Lessee, name, _devices[name].Device, Queued: true));
            }
        }

        return grants;
    }
}
