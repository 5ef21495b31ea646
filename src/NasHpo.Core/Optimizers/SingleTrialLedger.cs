namespace NasHpo.Core.Optimizers;

/// <summary>
/// The trial bookkeeping of optimizers in which every configuration is its own bracket and runs once, at one budget
/// (MS-EHVI, BULK &amp; CUT): which requests were scheduled, which are still running, which were reported, and the
/// next configuration id. Replays are idempotent: a request or result applied twice counts once.
/// </summary>
internal sealed class SingleTrialLedger
{
    private readonly Dictionary<TrialId, TrialRequest> _scheduled = [];
    private readonly SortedDictionary<long, TrialRequest> _running = [];
    private readonly HashSet<TrialId> _reported = [];

    /// <summary>The id the next new configuration gets: one past the highest scheduled.</summary>
    public long NextConfigurationId { get; private set; }

    /// <summary>Configuration ids scheduled and not yet reported, in order (each is its own open bracket).</summary>
    public IReadOnlyCollection<long> Running => _running.Keys;

    /// <summary>The requests scheduled and not yet reported, in configuration order.</summary>
    public IEnumerable<TrialRequest> RunningRequests => _running.Values;

    /// <summary>Records a scheduled request; false when it was recorded before.</summary>
    public bool Schedule(TrialRequest scheduled)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        if (!_scheduled.TryAdd(scheduled.Id, scheduled))
        {
            return false;
        }

        _running[scheduled.Id.ConfigurationId] = scheduled;
        NextConfigurationId = Math.Max(NextConfigurationId, scheduled.Id.ConfigurationId + 1);
        return true;
    }

    /// <summary>
    /// Records a result and returns the request it answers, or null when it was reported before; a result for a
    /// trial never scheduled is a bug in the caller and throws.
    /// </summary>
    public TrialRequest? Report(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_scheduled.TryGetValue(result.Id, out var request))
        {
            throw new InvalidOperationException($"result for {result.Id}, which was never scheduled");
        }

        if (!_reported.Add(result.Id))
        {
            return null;
        }

        _running.Remove(result.Id.ConfigurationId);
        return request;
    }
}
