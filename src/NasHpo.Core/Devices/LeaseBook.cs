using NasHpo.Core.Optimizers;

namespace NasHpo.Core.Devices;

/// <summary>
/// Who may use which device: the devices known (each perhaps of a group, a cluster node), the trial that leases each
/// busy one, and the requests that wait, served in arrival order, each by the free device with the smallest name.
/// A pure book: the lease actor owns one and turns its answers into messages, whether its devices are a node's own
/// or announced by the nodes of a cluster. Every method that can free a device returns the leases it granted.
/// </summary>
/// <typeparam name="TDevice">What a lessee is handed (a device actor).</typeparam>
/// <typeparam name="TLessee">Who leases (a trial actor); compared with its own equality.</typeparam>
internal sealed class LeaseBook<TDevice, TLessee>
    where TLessee : notnull
{
    private readonly Dictionary<string, (TDevice Device, string? Group)> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly LinkedList<(TrialId Trial, TLessee Lessee)> _waiting = new();
    private readonly SortedSet<string> _free = new(StringComparer.Ordinal);

    /// <summary>A device leased to a trial.</summary>
    public sealed record Lease(TrialId Trial, TLessee Lessee);

    /// <summary>A lease just granted: tell <paramref name="Lessee"/> it may use <paramref name="Device"/>.</summary>
    public sealed record Grant(TrialId Trial, TLessee Lessee, string Name, TDevice Device);

    /// <summary>The devices' names, in order.</summary>
    public IReadOnlyList<string> Names => [.. _devices.Keys.Order(StringComparer.Ordinal)];

    public int Leased => _leases.Count;

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

    /// <summary>The lease of a device, if it is leased.</summary>
    public Lease? LeaseOf(string name) => _leases.GetValueOrDefault(name);

    /// <summary>Whether the lessee holds a lease or waits for one (whether its end matters to the book).</summary>
    public bool Involves(TLessee lessee) =>
        _leases.Values.Any(l => EqualityComparer<TLessee>.Default.Equals(l.Lessee, lessee)) || _waiting.Any(w => EqualityComparer<TLessee>.Default.Equals(w.Lessee, lessee));

    /// <summary>A device joins, free. A name already known is replaced (its lease, if any, revoked first).</summary>
    public IReadOnlyList<Grant> Add(string name, TDevice device, string? group = null)
    {
        Remove(name);
        _devices[name] = (device, group);
        _free.Add(name);
        return Serve();
    }

    /// <summary>A device leaves; its lease, if it had one, is revoked and returned (the lessee must ask again).</summary>
    public Lease? Remove(string name)
    {
        if (!_devices.Remove(name))
        {
            return null;
        }

        _free.Remove(name);
        return _leases.Remove(name, out var lease) ? lease : null;
    }

    /// <summary>A trial asks for a device: granted now if one is free, else once one is.</summary>
    public IReadOnlyList<Grant> Request(TrialId trial, TLessee lessee)
    {
        _waiting.AddLast((trial, lessee));
        return Serve();
    }

    /// <summary>
    /// The device is free again. Ignored unless the trial still holds it: the device's own report that its run
    /// ended and the trial's release both arrive, whichever first frees it.
    /// </summary>
    public IReadOnlyList<Grant> Release(string name, TrialId trial)
    {
        if (!_leases.TryGetValue(name, out var lease) || lease.Trial != trial)
        {
            return [];
        }

        _leases.Remove(name);
        if (_devices.ContainsKey(name))
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
        foreach (var (name, lease) in _leases.Where(l => EqualityComparer<TLessee>.Default.Equals(l.Value.Lessee, lessee)).ToArray())
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

        return grants;
    }
}
