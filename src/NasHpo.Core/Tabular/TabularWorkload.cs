using System.Globalization;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;

namespace NasHpo.Core.Tabular;

/// <summary>
/// Replays a tabular benchmark: a trial at budget b returns what training recorded after epoch b, for the seed the
/// study draws for its configuration (<see cref="TabularTable.RunFor"/>). A trial that continues from its parent (the
/// same configuration at the budget below) reports the parent's budget as its start epoch, so it is charged only
/// the new epochs, as a network continued from a checkpoint is. With a positive <see cref="TimeScale"/> it sleeps for
/// the recorded training time of the epochs it stands for plus one evaluation, times the scale, so that wall-clock
/// comparisons keep the proportions of real training. A run that diverged fails the trial as training did.
/// </summary>
internal sealed class TabularWorkload : IWorkload, ICheapObjectives
{
    /// <summary>Metric: epochs already trained when the trial began (the parent's budget when continued), as the training workload reports it.</summary>
    public const string StartEpoch = "start-epoch";

    /// <summary>Metric: epochs this trial stands for.</summary>
    public const string EpochsTrained = "epochs-trained";

    /// <summary>Metric: the recorded seed the trial replayed.</summary>
    public const string TableSeed = "table-seed";

    private readonly TabularTable _table;
    private readonly long _studySeed;

    public TabularWorkload(TabularTable table, IReadOnlyList<Objective> objectives, long studySeed)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(objectives);
        foreach (var objective in objectives)
        {
            if (!table.Records(objective.Name))
            {
                throw new ArgumentException($"the table records no value \"{objective.Name}\" (it records: {string.Join(", ", table.CurveMetrics.Concat(table.FixedMetrics))})");
            }
        }

        _table = table;
        _studySeed = studySeed;
        Objectives = objectives;
    }

    public IReadOnlyList<Objective> Objectives { get; }

    public TabularTable Table => _table;

    /// <summary>Recorded seconds are slept times this factor (0: answer at once).</summary>
    public double TimeScale { get; init; }

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var epoch = EpochOf(request.Id.Budget);
        var run = _table.RunFor(request.Configuration, _studySeed);
        var start = context.ContinueFromParent && request.Parent is { } parent ? EpochOf(parent.Budget) : 0;
        if (start >= epoch)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"trial {request.Id} continues from epoch {start}, not below its own budget"));
        }

        if (TimeScale > 0)
        {
            // Evaluated once at the end, as a real trial is; a diverged run failed within its last epoch, counted whole.
            var seconds = (TabularTable.TrainingSeconds(run, start, epoch) + run.Fixed[TabularTable.OverheadSeconds]) * TimeScale;
            if (seconds > 0 && context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds)))
            {
                context.Cancellation.ThrowIfCancellationRequested();
            }
        }

        if (run.DivergedAtEpoch is { } diverged && epoch >= diverged)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"training diverged: the loss became NaN or infinite in epoch {diverged} (recorded in the table, seed {run.Seed})"));
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in _table.CurveMetrics.Concat(_table.FixedMetrics))
        {
            metrics[name] = TabularTable.ValueAt(run, name, epoch)!.Value;
        }

        metrics[StartEpoch] = start;
        metrics[EpochsTrained] = epoch - start;
        metrics[TableSeed] = run.Seed;
        return new WorkloadResult(Objectives.Select(o => metrics[o.Name]).ToArray(), metrics);
    }

    /// <summary>A table's fixed values (parameters, multiply-accumulates, latency) need no training.</summary>
    public IReadOnlyDictionary<string, double> EvaluateCheap(Configuration configuration, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var run = _table.RunFor(configuration, _studySeed);
        return names.Where(run.Fixed.ContainsKey).ToDictionary(n => n, n => run.Fixed[n], StringComparer.Ordinal);
    }

    private int EpochOf(double budget)
    {
        if (!double.IsInteger(budget) || budget < 1 || budget > _table.MaxEpoch)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"budget {budget:R} is not an epoch the table recorded (1 to {_table.MaxEpoch})"));
        }

        return (int)budget;
    }
}
