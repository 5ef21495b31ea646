namespace NasHpo.Core.Fidelity;

/// <summary>
/// Bookkeeping of one ladder of asynchronous successive halving (ASHA, Li et al. 2020): rungs of growing budget
/// with no fixed size. A configuration may move up as soon as it is among the best ⌊n/η⌋ of the n results its
/// rung holds so far, so nothing ever waits for a rung to fill. Failed trials count among the n results (as in
/// the synchronous bracket, whose rung sizes include them) but are never promoted. A configuration leaves a rung
/// at most once.
/// </summary>
internal sealed class AsynchronousLadder
{
    // Guards ⌊n/η⌋ against 6 / 3 evaluating to 1.9999999999999998 for non-integer η such as 1.5.
    private const double Tolerance = 1e-9;

    private readonly List<long>[] _members;
    private readonly HashSet<long>[] _memberSets;
    private readonly Dictionary<long, double[]?>[] _results;
    private readonly HashSet<long>[] _promoted;
    private readonly long[]?[] _best;
    private readonly double _eta;
    private readonly Func<IReadOnlyList<double[]>, int, int[]> _selectBest;

    /// <param name="index">The ladder's number in the study (its bracket id in trial requests).</param>
    /// <param name="plan">The rung budgets (the rung sizes of the plan are not used: ASHA's rungs grow without bound).</param>
    /// <param name="eta">The reduction factor: the best 1/η of a rung's results are promotable.</param>
    /// <param name="selectBest">Indices of the k best result vectors (see <see cref="Promotion.SelectBest"/>).</param>
    public AsynchronousLadder(long index, BracketPlan plan, double eta, Func<IReadOnlyList<double[]>, int, int[]> selectBest)
    {
        if (!double.IsFinite(eta) || eta <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "η must be greater than 1");
        }

        Index = index;
        Plan = plan;
        _eta = eta;
        _selectBest = selectBest;
        var rungs = plan.Rungs.Count;
        _members = Enumerable.Range(0, rungs).Select(_ => new List<long>()).ToArray();
        _memberSets = Enumerable.Range(0, rungs).Select(_ => new HashSet<long>()).ToArray();
        _results = Enumerable.Range(0, rungs).Select(_ => new Dictionary<long, double[]?>()).ToArray();
        _promoted = Enumerable.Range(0, rungs).Select(_ => new HashSet<long>()).ToArray();
        _best = new long[]?[rungs];
    }

    public long Index { get; }

    public BracketPlan Plan { get; }

    /// <summary>Configurations that started at the bottom rung.</summary>
    public int NewConfigurations => _members[0].Count;

    /// <summary>Trials that started and have not reported yet.</summary>
    public int Running => Enumerable.Range(0, _members.Length).Sum(r => _members[r].Count - _results[r].Count);

    /// <summary>Members of a rung, in the order they started.</summary>
    public IReadOnlyList<long> Members(int rung) => _members[rung];

    /// <summary>
    /// The promotion to start now, highest rung first (ASHA's order: finish the most promising work first); within
    /// a rung, the eligible configuration that started there first. Null when no configuration qualifies.
    /// </summary>
    public (long ConfigurationId, int Rung)? NextPromotion()
    {
        for (var rung = _members.Length - 2; rung >= 0; rung--)
        {
            foreach (var id in Best(rung))
            {
                if (!_promoted[rung].Contains(id))
                {
                    return (id, rung + 1);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Records that a trial of the configuration started at the rung. Returns false when already recorded.
    /// Above the bottom rung the configuration must have completed the rung below and not have left it before.
    /// </summary>
    public bool RecordScheduled(long configurationId, int rung)
    {
        if (rung < 0 || rung >= _members.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(rung), rung, $"ladder {Index} has rungs 0 to {_members.Length - 1}");
        }

        if (_memberSets[rung].Contains(configurationId))
        {
            return false;
        }

        if (rung > 0)
        {
            if (!_results[rung - 1].TryGetValue(configurationId, out var below) || below is null)
            {
                throw new InvalidOperationException(
                    $"ladder {Index}: configuration {configurationId} cannot start rung {rung} without a completed result at rung {rung - 1}");
            }

            _promoted[rung - 1].Add(configurationId);
        }

        _members[rung].Add(configurationId);
        _memberSets[rung].Add(configurationId);
        return true;
    }

    /// <summary>Records a result (null objectives for a failure). Returns false for a result already recorded.</summary>
    public bool RecordResult(long configurationId, int rung, double[]? objectives)
    {
        if (rung < 0 || rung >= _members.Length || !_memberSets[rung].Contains(configurationId))
        {
            throw new InvalidOperationException(
                $"ladder {Index}: result for configuration {configurationId} at rung {rung}, which never started there");
        }

        if (!_results[rung].TryAdd(configurationId, objectives))
        {
            return false;
        }

        // The rung's ranking changed; it is recomputed when a decision next needs it.
        _best[rung] = null;
        return true;
    }

    /// <summary>
    /// The best ⌊n/η⌋ completed configurations of the rung (n counts failures too), in the order they started.
    /// Cached until the rung's next result: a derived value, so caching it inside a read does not change what
    /// the ladder decides, live or on replay.
    /// </summary>
    private long[] Best(int rung)
    {
        if (_best[rung] is { } cached)
        {
            return cached;
        }

        var quota = (int)Math.Floor((_results[rung].Count / _eta) + Tolerance);
        var completed = _members[rung].Where(id => _results[rung].TryGetValue(id, out var r) && r is not null).ToList();
        var best = quota == 0 || completed.Count == 0
            ? []
            : _selectBest(completed.Select(id => _results[rung][id]!).ToList(), Math.Min(quota, completed.Count)).Select(i => completed[i]).ToArray();
        _best[rung] = best;
        return best;
    }
}
