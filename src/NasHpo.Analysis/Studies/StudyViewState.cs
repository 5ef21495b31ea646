using System.Collections.Concurrent;
using NasHpo.Actors.Archive;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;

namespace NasHpo.Analysis.Studies;

/// <summary>
/// What the overview of a study is made of, kept from one version of a <see cref="StudyView"/> to the next and
/// updated with the trials that changed only: the front of each budget, the study's front, the budgets, brackets and
/// device totals, the budget spent and the hypervolume history's inputs. A live study of 100 000 trials gets its next
/// overview in milliseconds instead of folding every trial again. It belongs to the newest view only (handed on by
/// <see cref="Take"/>); what a view serves is copied out of it when the view is made, so older views stay as they were.
/// </summary>
internal sealed class StudyViewState
{
    private readonly StudyDefinition _definition;
    private readonly double _maxBudget;
    private readonly SortedDictionary<double, BudgetFront> _budgets = [];
    private readonly SortedSet<double> _allBudgets = [];
    private readonly SortedSet<long> _bracketIds = [];
    private readonly Dictionary<long, SortedDictionary<double, int>> _brackets = [];
    private readonly SortedDictionary<string, LaneTotals> _lanes = new(StringComparer.Ordinal);
    private readonly ParetoArchive<TrialId> _studyFront = new();
    private readonly List<(double Budget, double Seconds, double Hypervolume)> _archive = [];
    private readonly Lock _gate = new();
    private object? _owner;

    public StudyViewState(StudyDefinition definition, string hocon)
    {
        _definition = definition;
        _maxBudget = StudyDefinitionReader.MaxBudgetOf(hocon);
    }

    /// <summary>Row index by trial id; only ever added to, so that every view of the chain reads it.</summary>
    public ConcurrentDictionary<string, int> ById { get; } = new(StringComparer.Ordinal);

    public double Spent { get; private set; }

    /// <summary>The latest moment any trial was scheduled, started or finished (seconds since creation).</summary>
    public double LatestSeconds { get; private set; }

    public int ArchiveFolded => _archive.Count;

    /// <summary>This state for a newer view of <paramref name="owner"/>'s; null when another view took it already.</summary>
    public StudyViewState? TakeFrom(object owner)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_owner, owner))
            {
                return null;
            }

            _owner = null;
            return this;
        }
    }

    /// <summary>The view whose state this is now: the one a newer view takes it from.</summary>
    public void OwnedBy(object owner)
    {
        lock (_gate)
        {
            _owner = owner;
        }
    }

    /// <summary>
    /// A trial that is new (<paramref name="before"/> null) or whose row changed; false when the change is one this
    /// state cannot follow (a completed trial no longer completed), and the view is made from scratch instead.
    /// </summary>
    public bool Apply(TrialRow? before, TrialRow after, TrialRecord trial)
    {
        if (before is { Objectives: not null } && after.Objectives is null)
        {
            return false;
        }

        if (before is null)
        {
            ById[after.Id] = after.Index;
            _allBudgets.Add(after.Budget);
            _bracketIds.Add(after.Bracket);
            if (!_brackets.TryGetValue(after.Bracket, out var rungs))
            {
                _brackets[after.Bracket] = rungs = [];
            }

            rungs[after.Budget] = rungs.GetValueOrDefault(after.Budget) + 1;
        }
        else
        {
            Lane(before, -1);
        }

        Lane(after, +1);
        LatestSeconds = Math.Max(LatestSeconds, after.FinishedAt ?? after.StartedAt ?? after.ScheduledAt);
        // What finished trials cost (BudgetCharge.Spent); a changed row has a new status, and only a failed trial's
        // can change after it finished (a completed one that stopped being completed is refused above).
        if (before?.Status == "failed")
        {
            Spent -= BudgetCharge.Failed(trial.Id);
        }

        if (after.Status is "completed" or "failed")
        {
            Spent += BudgetCharge.Finished(_definition, trial.Id, trial.Completed);
        }

        if (after.Objectives is not null && before?.Objectives is null)
        {
            if (!_budgets.TryGetValue(after.Budget, out var budget))
            {
                _budgets[after.Budget] = budget = new BudgetFront();
            }

            budget.Add(after.Index, _definition.ObjectiveSpace.FromRecorded(trial.Completed!.Objectives));
        }

        return true;
    }

    /// <summary>An evaluation the Pareto archive recorded (in the archive's order).</summary>
    public void Archived(EvaluationArchived archived)
    {
        _archive.Add((archived.Trial.Budget, archived.Elapsed.TotalSeconds, archived.Hypervolume));
        if (archived.Trial.Budget >= _maxBudget)
        {
            _studyFront.Admit(archived.Trial, archived.Objectives);
        }
    }

    /// <summary>The study's front as <see cref="StudyRecord.ParetoFront"/> has it: row indices of its completed members, in ledger order.</summary>
    public int[] Front(TrialRow[] rows) => _studyFront.Members
        .Select(id => ById.TryGetValue(id.ToString(), out var index) && index < rows.Length && rows[index].Objectives is not null ? index : -1)
        .Where(index => index >= 0)
        .Order()
        .ToArray();

    public double[] Budgets() => [.. _allBudgets];

    public BudgetPoints[] PointsByBudget(TrialRow[] rows) => _budgets
        .Where(pair => pair.Value.Count > 0)
        .Select(pair => pair.Value.Points(pair.Key, rows))
        .ToArray();

    public BracketInfo[] Brackets() => _bracketIds.Reverse()
        .Take(StudyView.MaxBrackets)
        .Reverse()
        .Select(id => new BracketInfo(id, [.. _brackets[id].Keys], [.. _brackets[id].Values]))
        .ToArray();

    /// <summary>Each device's lane without its bars, as the overview lists them.</summary>
    public DeviceLane[] Lanes(double elapsedSeconds)
    {
        var elapsed = Math.Max(1e-9, elapsedSeconds);
        return _lanes.Where(pair => pair.Value.Trials > 0).Select(pair =>
        {
            var busy = pair.Value.BusyAt(elapsed);
            return new DeviceLane(pair.Key, pair.Value.Trials, busy, Math.Min(1, busy / elapsed), []);
        }).ToArray();
    }

    /// <summary>The hypervolume after each archived evaluation, thinned to its changes and an even stride.</summary>
    public HypervolumeHistory History(int maxPoints)
    {
        var evaluations = new List<int>();
        var budget = new List<double>();
        var wall = new List<double>();
        var hypervolume = new List<double>();
        var spent = 0.0;
        var step = Math.Max(1, _archive.Count / maxPoints);
        for (var i = 0; i < _archive.Count; i++)
        {
            spent += _archive[i].Budget;
            var changed = i == 0 || _archive[i].Hypervolume != _archive[i - 1].Hypervolume;
            if (changed || i % step == 0 || i == _archive.Count - 1)
            {
                evaluations.Add(i + 1);
                budget.Add(spent);
                wall.Add(Math.Round(_archive[i].Seconds, 3));
                hypervolume.Add(_archive[i].Hypervolume);
            }
        }

        return new HypervolumeHistory(evaluations, budget, wall, hypervolume);
    }

    // A trial on a device lane counts its time there: finished trials from start to end, running ones until now.
    private void Lane(TrialRow row, int sign)
    {
        if (row.Device is null || row.StartedAt is not { } start)
        {
            return;
        }

        if (!_lanes.TryGetValue(row.Device, out var lane))
        {
            _lanes[row.Device] = lane = new LaneTotals();
        }

        lane.Trials += sign;
        if (row.FinishedAt is { } end)
        {
            lane.FinishedBusy += sign * Math.Max(0, end - start);
        }
        else
        {
            lane.Running += sign;
            lane.RunningStarts += sign * start;
        }
    }

    private sealed class LaneTotals
    {
        public int Trials { get; set; }

        public double FinishedBusy { get; set; }

        public int Running { get; set; }

        public double RunningStarts { get; set; }

        public double BusyAt(double elapsed) => FinishedBusy + Math.Max(0, (Running * elapsed) - RunningStarts);
    }

    /// <summary>
    /// One budget's completed evaluations and their front. Points arrive in the order trials complete; of equal points
    /// the first to complete stays on the front.
    /// </summary>
    private sealed class BudgetFront
    {
        private readonly List<int> _members = [];
        private readonly ParetoArchive<int> _front = new();
        private BudgetPoints? _points;

        public int Count => _members.Count;

        public void Add(int index, IReadOnlyList<double> minimized)
        {
            var at = _members.BinarySearch(index);
            _members.Insert(at < 0 ? ~at : at, index);
            _front.Admit(index, minimized);
            _points = null;
        }

        // Every non-dominated point, and an evenly strided sample of the rest in ledger order (the same view twice).
        public BudgetPoints Points(double budget, TrialRow[] rows)
        {
            if (_points is { } known)
            {
                return known;
            }

            var front = _front.Members.ToHashSet();
            var dominated = _members.Where(index => !front.Contains(index)).ToArray();
            var stride = Math.Max(1, (int)Math.Ceiling(dominated.Length / (double)StudyView.MaxPointsPerBudget));
            var shown = dominated.Where((_, k) => k % stride == 0).Concat(front).Order().ToArray();
            return _points = new BudgetPoints(
                budget,
                _members.Count,
                stride > 1,
                shown,
                shown.Select(index => rows[index].Objectives!).ToArray(),
                shown.Select(front.Contains).ToArray());
        }
    }
}
