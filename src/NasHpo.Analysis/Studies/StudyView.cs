using System.Globalization;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Studies;

/// <summary>
/// The views of one study at one moment, drawn from its folded journal (<see cref="StudyRecord"/>): what the dashboard
/// serves and the report embeds. Built once per version of the record; every query after that reads the same rows.
/// Large studies are thinned where a picture cannot show more (sampled dominated points, the latest bars of the
/// timeline, the hypervolume's changes), never in the table, which pages instead.
/// </summary>
internal sealed class StudyView
{
    /// <summary>At most this many dominated points per budget are drawn in the Pareto views.</summary>
    public const int MaxPointsPerBudget = 1000;

    /// <summary>At most this many trial bars are drawn on the device timeline (the latest ones).</summary>
    public const int MaxTimelineBars = 2000;

    private const int MaxHistoryPoints = 2000;

    private readonly StudyDefinition _definition;
    private readonly TrialRow[] _rows;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byId;

    // Taken from the record while the caller holds it still, so that the view can be read while the record grows: a
    // trial's request and completion are set once, so later reads of these entries see what this version saw.
    private readonly TrialRecord[] _trials;
    private readonly int[] _front;
    private readonly StudySummary _summary;
    private readonly double[] _budgets;
    private readonly BudgetPoints[] _points;
    private readonly HypervolumeHistory _history;
    private readonly DeviceLane[] _laneTotals;
    private readonly BracketInfo[] _brackets;
    private readonly StudyViewState _state;

    /// <param name="previous">
    /// the view of an earlier version of the same record: rows of trials whose state has not changed since are taken
    /// from it instead of being made again, and its overview is updated with the changed trials only, so a live
    /// study of 100 000 trials gets its next view in milliseconds
    /// </param>
    public StudyView(StudyRecord record, long version = 0, StudyView? previous = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Created is null)
        {
            throw new ArgumentException($"study {record.StudyId} does not exist", nameof(record));
        }

        _definition = previous?._definition ?? StudyDefinitionReader.FromHocon(record.Created.Definition);
        Version = version;
        _trials = [.. record.Trials];
        var state = previous?._state?.TakeFrom(previous);
        var earlier = state is null ? [] : previous!._rows;
        _rows = Fold(record, earlier, ref state);
        if (state is null)
        {
            // The previous view's state went to another view, or a change it cannot follow: every trial again.
            _rows = Fold(record, [], ref state);
        }

        for (var i = state!.ArchiveFolded; i < record.Archive.Count; i++)
        {
            state.Archived(record.Archive[i]);
        }

        state.OwnedBy(this);
        _state = state;
        _byId = state.ById;
        _front = state.Front(_rows);
        _summary = BuildSummary(record, state);
        _budgets = state.Budgets();
        _points = state.PointsByBudget(_rows);
        _history = state.History(MaxHistoryPoints);
        _laneTotals = state.Lanes(_summary.ElapsedSeconds);
        _brackets = state.Brackets();
    }

    // The rows of this version: those of `earlier` whose trial kept its status, new ones for the rest, each change
    // told to the state (a new one when `state` is null); `state` comes back null when it could not follow a change.
    private TrialRow[] Fold(StudyRecord record, TrialRow[] earlier, ref StudyViewState? state)
    {
        state ??= new StudyViewState(_definition, record.Created!.Definition);
        var origin = record.Created!.CreatedAt;
        var rows = new TrialRow[_trials.Length];
        for (var index = 0; index < rows.Length; index++)
        {
            var trial = _trials[index];
            var before = index < earlier.Length ? earlier[index] : null;
            if (before is not null && before.Status == trial.Status)
            {
                rows[index] = before;
                continue;
            }

            rows[index] = TrialRow.From(index, trial, _definition, origin);
            if (!state.Apply(before, rows[index], trial))
            {
                state = null;
                return [];
            }
        }

        return rows;
    }

    public long Version { get; }

    public StudyDefinition Definition => _definition;

    public IReadOnlyList<TrialRow> Rows => _rows;

    public StudySummary Summary() => _summary;

    private StudySummary BuildSummary(StudyRecord record, StudyViewState state)
    {
        var created = record.Created!;
        var end = record.Finished?.FinishedAt ?? created.CreatedAt.AddSeconds(state.LatestSeconds);
        return new StudySummary(
            record.StudyId,
            _definition.Name,
            record.State,
            record.Finished?.Reason,
            record.Completed,
            record.FailedCount,
            record.Running,
            record.Pending,
            record.Hypervolume,
            _front.Length,
            state.Spent,
            record.Running,
            _definition.Devices,
            _definition.Optimizer.Type,
            created.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            record.Finished?.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
            Math.Max(0, (end - created.CreatedAt).TotalSeconds));
    }

    /// <summary>The overview, built on first use and kept: a view is of one version, so it never changes.</summary>
    public StudyOverview Overview() => _overview ??= new(
        _summary,
        _definition.Objectives.Select(o => new ObjectiveInfo(o.Name, o.Direction.ToString().ToLowerInvariant(), o.Scale.ToString().ToLowerInvariant())).ToArray(),
        _definition.Space.Parameters.Select(Describe).ToArray(),
        _budgets,
        _front,
        _points,
        _history,
        _laneTotals,
        _brackets,
        Lineage(),
        Version);

    private StudyOverview? _overview;

    /// <summary>The completed trials with their objectives in minimisation form (log10 of a log-scale objective), for the analyses.</summary>
    internal IEnumerable<Importance.CompletedTrial> CompletedTrials() => _rows
        .Where(r => r.Objectives is not null)
        .Select(r => new Importance.CompletedTrial(r.ConfigurationId, r.Budget, _trials[r.Index].Scheduled.Request.Configuration, _definition.ObjectiveSpace.FromRecorded(_trials[r.Index].Completed!.Objectives)));

    /// <summary>The device timeline: each device's lane with its latest <see cref="MaxTimelineBars"/> trials.</summary>
    public IReadOnlyList<DeviceLane> Devices() => _lanes ??= Lanes();

    private DeviceLane[]? _lanes;

    /// <summary>One page of the trial table, filtered and sorted on the server.</summary>
    public TrialPage Query(TrialQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        IEnumerable<TrialRow> rows = _rows;
        if (query.Status is { } status)
        {
            rows = rows.Where(r => r.Status == status);
        }

        if (query.Budget is { } budget)
        {
            rows = rows.Where(r => r.Budget == budget);
        }

        if (query.Bracket is { } bracket)
        {
            rows = rows.Where(r => r.Bracket == bracket);
        }

        foreach (var filter in query.Ranges)
        {
            var column = filter.Column;
            rows = rows.Where(r => Matches(r, column, filter));
        }

        if (query.SortBy is { } sortBy && sortBy != "index")
        {
            rows = query.Descending ? rows.OrderByDescending(r => SortKey(r, sortBy)) : rows.OrderBy(r => SortKey(r, sortBy));
        }
        else if (query.Descending)
        {
            rows = rows.Reverse();
        }

        var kept = rows.ToList();
        var offset = Math.Clamp(query.Offset, 0, kept.Count);
        var limit = Math.Clamp(query.Limit, 1, 500);
        return new TrialPage(kept.Count, offset, kept.Skip(offset).Take(limit).ToArray());
    }

    /// <summary>A trial's page, or null for an id the study does not have.</summary>
    public TrialDetail? Detail(string trialId)
    {
        if (!_byId.TryGetValue(trialId, out var index) || index >= _rows.Length)
        {
            return null;
        }

        var row = _rows[index];
        var curve = (_trials[index].Completed?.Curve ?? []).Select(p => new CurveRow(p.Step, p.Values)).ToArray();
        var chain = new List<TrialRow> { row };
        for (var parent = row.Parent; parent is not null && _byId.TryGetValue(parent, out var at) && at < _rows.Length; parent = _rows[at].Parent)
        {
            chain.Insert(0, _rows[at]);
        }

        return new TrialDetail(row, curve, chain);
    }

    /// <summary>Each configuration's way up one bracket (or ladder), with the rule that promoted or stopped it.</summary>
    public BracketPromotions Promotions(long bracket)
    {
        var rule = _definition.Optimizer.Method.PromotesAlongRungs
            ? (_definition.Optimizer.Promotion == PromotionMode.Asynchronous ? "asynchronous" : "synchronous") +
              " successive halving, η = " + _definition.Optimizer.Eta.ToString("G4", CultureInfo.InvariantCulture) + ", ranked by " +
              OptimizerDefinition.PromotionRankings[(int)_definition.Optimizer.Ranking]
            : _definition.Optimizer.Type + " does not promote along rungs";
        var paths = _rows.Where(r => r.Bracket == bracket)
            .GroupBy(r => r.ConfigurationId)
            .Select(group =>
            {
                var steps = group.OrderBy(r => r.Budget).ToArray();
                var last = steps[^1];
                var outcome = last.Status switch
                {
                    "failed" => "failed at budget " + Text(last.Budget),
                    "running" or "pending" => "running at budget " + Text(last.Budget),
                    _ when last.Budget >= _definition.Optimizer.MaxBudget => "reached the maximum budget",
                    _ => "stopped at budget " + Text(last.Budget),
                };
                return new PromotionPath(group.Key, steps.Select(s => s.Index).ToArray(), steps.Select(s => s.Budget).ToArray(), outcome);
            })
            .OrderByDescending(p => p.Budgets.Count)
            .ThenBy(p => p.ConfigurationId)
            .ToArray();
        return new BracketPromotions(bracket, rule, paths);
    }

    private static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static ParameterInfo Describe(Parameter parameter) => new(
        parameter.Name,
        parameter.Kind.ToString().ToLowerInvariant(),
        parameter switch
        {
            CategoricalParameter c => c.Choices,
            OrdinalParameter o => o.Choices,
            BooleanParameter => ["false", "true"],
            _ => null,
        });

    private DeviceLane[] Lanes()
    {
        var elapsed = Math.Max(1e-9, _summary.ElapsedSeconds);
        return _rows.Where(r => r.Device is not null && r.StartedAt is not null)
            .GroupBy(r => r.Device!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(group =>
            {
                var bars = group.Select(r => new DeviceBar(r.Index, r.Id, r.StartedAt!.Value, r.FinishedAt ?? elapsed, r.Status)).ToArray();
                var busy = bars.Sum(b => Math.Max(0, b.End - b.Start));
                return new DeviceLane(group.Key, bars.Length, busy, Math.Min(1, busy / elapsed), bars.Skip(Math.Max(0, bars.Length - MaxTimelineBars)).ToArray());
            })
            .ToArray();
    }

    /// <summary>At most this many brackets (the latest) are listed in the overview: random search opens one per configuration.</summary>
    public const int MaxBrackets = 500;

    private LineageEdge[] Lineage() => _rows.Where(r => r.LineageParent is not null)
        .TakeLast(MaxTimelineBars)
        .Select(r => new LineageEdge(r.LineageParent!, r.Id, r.Index, r.LineageOperation!))
        .ToArray();

    private bool Matches(TrialRow row, string column, RangeFilter filter)
    {
        double? number = null;
        if (row.Parameters.TryGetValue(column, out var value))
        {
            if (value is string text)
            {
                return filter.Text is null || string.Equals(text, filter.Text, StringComparison.Ordinal);
            }

            number = (double)value;
        }
        else if (ObjectiveIndex(column) is { } objective)
        {
            number = row.Objectives?[objective];
        }
        else if (row.Metrics.TryGetValue(column, out var metric))
        {
            number = metric;
        }

        return number is { } x && (filter.Min is not { } min || x >= min) && (filter.Max is not { } max || x <= max);
    }

    private int? ObjectiveIndex(string name)
    {
        for (var i = 0; i < _definition.Objectives.Count; i++)
        {
            if (_definition.Objectives[i].Name == name)
            {
                return i;
            }
        }

        return null;
    }

    private IComparable SortKey(TrialRow row, string column) => column switch
    {
        "budget" => row.Budget,
        "duration" => row.DurationSeconds ?? double.MaxValue,
        "status" => row.Status,
        _ when row.Parameters.TryGetValue(column, out var value) => value is double d ? d : (string)value,
        _ when ObjectiveIndex(column) is { } i => row.Objectives?[i] ?? double.MaxValue,
        _ => row.Index,
    };
}
