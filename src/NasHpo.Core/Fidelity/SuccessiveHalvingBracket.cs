namespace NasHpo.Core.Fidelity;

/// <summary>Indices of the <paramref name="count"/> results to promote among a rung's <paramref name="points"/> (minimisation space), measured at <paramref name="budget"/>.</summary>
internal delegate int[] RungSelector(IReadOnlyList<double[]> points, int count, double budget);

/// <summary>
/// Bookkeeping of one synchronous successive-halving bracket: which configurations each rung holds, which have
/// reported, and which were promoted. A rung's promotions are decided once every trial of the rung has reported,
/// so the decision depends only on the rung's results, never on arrival order.
/// </summary>
internal sealed class SuccessiveHalvingBracket
{
    private readonly List<long>[] _members;
    private readonly Dictionary<long, double[]?>[] _results;
    private readonly List<long>?[] _promoted;
    private readonly RungSelector _selectBest;

    /// <param name="index">The bracket's number in the study (0, 1, 2, …).</param>
    /// <param name="plan">The rung sizes and budgets.</param>
    /// <param name="selectBest">Indices of the k result vectors of a rung to promote (see <see cref="Promotion"/>).</param>
    public SuccessiveHalvingBracket(long index, BracketPlan plan, RungSelector selectBest)
    {
        Index = index;
        Plan = plan;
        _selectBest = selectBest;
        var rungs = plan.Rungs.Count;
        _members = Enumerable.Range(0, rungs).Select(_ => new List<long>()).ToArray();
        _results = Enumerable.Range(0, rungs).Select(_ => new Dictionary<long, double[]?>()).ToArray();
        _promoted = new List<long>?[rungs];
    }

    public long Index { get; }

    public BracketPlan Plan { get; }

    public bool IsComplete => Enumerable.Range(0, Plan.Rungs.Count).All(IsRungFinished);

    /// <summary>True while the first rung still needs freshly sampled configurations.</summary>
    public bool NeedsNewConfiguration => _members[0].Count < Plan.Rungs[0].Configurations;

    /// <summary>The next promoted configuration waiting to start, with its rung, or null.</summary>
    public (long ConfigurationId, int Rung)? NextPromotion()
    {
        for (var rung = 1; rung < Plan.Rungs.Count; rung++)
        {
            if (_promoted[rung] is { } promoted && _members[rung].Count < promoted.Count)
            {
                return (promoted[_members[rung].Count], rung);
            }
        }

        return null;
    }

    /// <summary>Records that a trial of the configuration started at the rung. Returns false when already recorded.</summary>
    public bool RecordScheduled(long configurationId, int rung)
    {
        if (_members[rung].Contains(configurationId))
        {
            return false;
        }

        if (rung > 0 && (_promoted[rung] is not { } promoted || !promoted.Contains(configurationId)))
        {
            throw new InvalidOperationException(
                $"bracket {Index}: configuration {configurationId} was not promoted to rung {rung}");
        }

        _members[rung].Add(configurationId);
        return true;
    }

    /// <summary>
    /// Records a result (null objectives for a failure). When it completes the rung, the next rung's promotions
    /// are decided. Returns false for a result already recorded.
    /// </summary>
    public bool RecordResult(long configurationId, int rung, double[]? objectives)
    {
        if (!_members[rung].Contains(configurationId))
        {
            throw new InvalidOperationException(
                $"bracket {Index}: result for configuration {configurationId} at rung {rung}, which never started there");
        }

        if (!_results[rung].TryAdd(configurationId, objectives))
        {
            return false;
        }

        if (IsRungFinished(rung) && rung + 1 < Plan.Rungs.Count && _promoted[rung + 1] is null)
        {
            _promoted[rung + 1] = DecidePromotions(rung);

            // A rung left empty (every trial below failed) empties the rungs above it too.
            for (var next = rung + 1; next + 1 < Plan.Rungs.Count && _promoted[next]!.Count == 0; next++)
            {
                _promoted[next + 1] = [];
            }
        }

        return true;
    }

    private List<long> DecidePromotions(int rung)
    {
        // Failed trials never move up; ranks are taken among the completed ones in the order they started.
        var completed = _members[rung].Where(id => _results[rung][id] is not null).ToList();
        var points = completed.Select(id => _results[rung][id]!).ToList();
        var keep = _selectBest(points, Plan.Rungs[rung + 1].Configurations, Plan.Rungs[rung].Budget);
        return keep.Select(i => completed[i]).ToList();
    }

    private bool IsRungFinished(int rung)
    {
        var expected = rung == 0 ? Plan.Rungs[0].Configurations : _promoted[rung]?.Count;
        return expected is { } count && _members[rung].Count == count && _results[rung].Count == count;
    }
}
