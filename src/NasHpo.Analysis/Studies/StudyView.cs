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
    private readonly Dictionary<string, int> _byId;

    // Taken from the record while the caller holds it still, so that the view can be read while the record grows.
    private readonly IReadOnlyList<double>?[] _recorded;
    private readonly Core.SearchSpaces.Configuration[] _configurations;
    private readonly IReadOnlyList<NasHpo.Core.Workloads.CurvePoint>[] _curves;
    private readonly EvaluationArchivedView[] _archive;
    private readonly int[] _front;
    private readonly StudySummary _summary;

    /// <param name="previous">
    /// the view of an earlier version of the same record: rows of trials whose state has not changed since are taken
    /// from it instead of being made again, so a live study of 100 000 trials gets its next view in milliseconds
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
        var origin = record.Created.CreatedAt;
        var earlier = previous?._rows ?? [];
        _rows = record.Trials.Select((trial, index) => index < earlier.Length && earlier[index].Status == trial.Status
            ? earlier[index]
            : TrialRow.From(index, trial, _definition, origin)).ToArray();
        _byId = previous is null ? new Dictionary<string, int>(_rows.Length, StringComparer.Ordinal) : new Dictionary<string, int>(previous._byId, StringComparer.Ordinal);
        for (var i = previous?._rows.Length ?? 0; i < _rows.Length; i++)
        {
            _byId[_rows[i].Id] = i;
        }

        _recorded = record.Trials.Select(t => t.Completed?.Objectives).ToArray();
        _configurations = record.Trials.Select(t => t.Scheduled.Request.Configuration).ToArray();
        _curves = record.Trials.Select(t => t.Completed?.Curve ?? []).ToArray();
        _archive = record.Archive.Select(a => new EvaluationArchivedView(a.Trial.Budget, a.Elapsed, a.Hypervolume)).ToArray();
        _front = record.ParetoFront().Select(t => _byId[t.Id.ToString()]).ToArray();
        _summary = BuildSummary(record);
    }

    private readonly record struct EvaluationArchivedView(double Budget, TimeSpan Elapsed, double Hypervolume);

    public long Version { get; }

    public StudyDefinition Definition => _definition;

    public IReadOnlyList<TrialRow> Rows => _rows;

    public StudySummary Summary() => _summary;

    private StudySummary BuildSummary(StudyRecord record)
    {
        var created = record.Created!;
        var end = record.Finished?.FinishedAt ?? (_rows.Length > 0 ? created.CreatedAt.AddSeconds(_rows.Max(r => r.FinishedAt ?? r.StartedAt ?? r.ScheduledAt)) : created.CreatedAt);
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
            BudgetCharge.Spent(_definition, record),
            record.Running,
            _definition.Devices,
            _definition.Optimizer.Type,
            created.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            record.Finished?.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
            Math.Max(0, (end - created.CreatedAt).TotalSeconds));
    }

    /// <summary>The overview, built on first use and kept: a view is of one version, so it never changes.</summary>
    public StudyOverview Overview() => _overview ??= BuildOverview();

    private StudyOverview? _overview;

    private StudyOverview BuildOverview() => new(
        _summary,
        _definition.Objectives.Select(o => new ObjectiveInfo(o.Name, o.Direction.ToString().ToLowerInvariant(), o.Scale.ToString().ToLowerInvariant())).ToArray(),
        _definition.Space.Parameters.Select(Describe).ToArray(),
        Budgets(),
        _front,
        PointsByBudget(),
        History(),
        Lanes().Select(lane => lane with { Bars = [] }).ToArray(),
        Brackets(),
        Lineage(),
        Version);

    /// <summary>The completed trials with their objectives in minimisation form (log10 of a log-scale objective), for the analyses.</summary>
    internal IEnumerable<Importance.CompletedTrial> CompletedTrials() => _rows
        .Where(r => _recorded[r.Index] is not null)
        .Select(r => new Importance.CompletedTrial(r.ConfigurationId, r.Budget, _configurations[r.Index], _definition.ObjectiveSpace.FromRecorded(_recorded[r.Index]!)));

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
        if (!_byId.TryGetValue(trialId, out var index))
        {
            return null;
        }

        var row = _rows[index];
        var curve = _curves[index].Select(p => new CurveRow(p.Step, p.Values)).ToArray();
        var chain = new List<TrialRow> { row };
        for (var parent = row.Parent; parent is not null && _byId.TryGetValue(parent, out var at); parent = _rows[at].Parent)
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

    private double[] Budgets() => _rows.Select(r => r.Budget).Distinct().Order().ToArray();

    private BudgetPoints[] PointsByBudget()
    {
        var space = _definition.ObjectiveSpace;
        var result = new List<BudgetPoints>();
        foreach (var group in _rows.Where(r => r.Objectives is not null).GroupBy(r => r.Budget).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            var minimized = rows.Select(r => (IReadOnlyList<double>)space.FromRecorded(_recorded[r.Index]!)).ToArray();
            var front = ParetoArchive.FrontIndices(minimized).ToHashSet();

            // Every non-dominated point, and an evenly strided sample of the rest (deterministic: the same view twice).
            var dominated = Enumerable.Range(0, rows.Length).Where(i => !front.Contains(i)).ToArray();
            var stride = Math.Max(1, (int)Math.Ceiling(dominated.Length / (double)MaxPointsPerBudget));
            var shown = dominated.Where((_, k) => k % stride == 0).Concat(front).Order().ToArray();
            result.Add(new BudgetPoints(
                group.Key,
                rows.Length,
                stride > 1,
                shown.Select(i => rows[i].Index).ToArray(),
                shown.Select(i => rows[i].Objectives!).ToArray(),
                shown.Select(front.Contains).ToArray()));
        }

        return result.ToArray();
    }

    private HypervolumeHistory History()
    {
        var archive = _archive;
        var evaluations = new List<int>();
        var budget = new List<double>();
        var wall = new List<double>();
        var hypervolume = new List<double>();
        var spent = 0.0;
        var step = Math.Max(1, archive.Length / MaxHistoryPoints);
        for (var i = 0; i < archive.Length; i++)
        {
            spent += archive[i].Budget;
            var changed = i == 0 || archive[i].Hypervolume != archive[i - 1].Hypervolume;
            if (changed || i % step == 0 || i == archive.Length - 1)
            {
                evaluations.Add(i + 1);
                budget.Add(spent);
                wall.Add(Math.Round(archive[i].Elapsed.TotalSeconds, 3));
                hypervolume.Add(archive[i].Hypervolume);
            }
        }

        return new HypervolumeHistory(evaluations, budget, wall, hypervolume);
    }

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

    private BracketInfo[] Brackets() => _rows.GroupBy(r => r.Bracket)
        .OrderBy(g => g.Key)
        .TakeLast(MaxBrackets)
        .Select(group =>
        {
            var budgets = group.Select(r => r.Budget).Distinct().Order().ToArray();
            return new BracketInfo(group.Key, budgets, budgets.Select(b => group.Count(r => r.Budget == b)).ToArray());
        })
        .ToArray();

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
