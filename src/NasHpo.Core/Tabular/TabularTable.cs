using System.Globalization;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tabular;

/// <summary>
/// One training run recorded in a tabular benchmark: a configuration trained with one seed. <paramref name="Fixed"/>
/// holds what does not change with training (parameter count, multiply-accumulates, latency, evaluation time);
/// <paramref name="Curves"/> holds one value per epoch from epoch 1 (validation and test error, training loss,
/// training seconds of that epoch). A run whose training diverged has shorter curves: they end before
/// <paramref name="DivergedAtEpoch"/>, the epoch whose loss became NaN or infinite.
/// </summary>
internal sealed record TabularRun(
    Configuration Configuration,
    int Seed,
    IReadOnlyDictionary<string, double> Fixed,
    IReadOnlyDictionary<string, IReadOnlyList<double>> Curves,
    int? DivergedAtEpoch = null)
{
    /// <summary>The epochs whose values were recorded: the maximum epoch, or those before the divergence.</summary>
    public int RecordedEpochs => Curves.Count == 0 ? 0 : Curves.Values.Min(c => c.Count);
}

/// <summary>The configuration asked for is not one the table recorded.</summary>
internal sealed class NotInTableException : Exception
{
    public NotInTableException(string message)
        : base(message)
    {
    }

    public NotInTableException()
    {
    }

    public NotInTableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// A tabular benchmark: every configuration of a discrete space trained once per seed for <see cref="MaxEpoch"/>
/// epochs, with the values recorded after every epoch. Replaying it answers a trial in no time with the value real
/// training gave. The pure part (model, lookup, seed choice, true front); files are read elsewhere.
/// </summary>
internal sealed class TabularTable
{
    /// <summary>The time one epoch of training took (seconds): a curve every table records, for replay in scaled wall time.</summary>
    public const string TrainSeconds = "train-s";

    /// <summary>What one run costs besides training (evaluation, latency timing), in seconds: a fixed value every table records.</summary>
    public const string OverheadSeconds = "eval-s";

    private readonly Dictionary<string, TabularRun[]> _runs;

    public TabularTable(SearchSpace space, int maxEpoch, IReadOnlyDictionary<string, string> settings, IEnumerable<TabularRun> runs)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpoch, 1);
        Space = space;
        MaxEpoch = maxEpoch;
        Settings = settings;
        _runs = new Dictionary<string, TabularRun[]>(StringComparer.Ordinal);
        var order = new List<Configuration>();
        string[]? curveNames = null;
        string[]? fixedNames = null;
        foreach (var group in runs.GroupBy(r => r.Configuration.ToCanonicalString(), StringComparer.Ordinal))
        {
            var members = group.OrderBy(r => r.Seed).ToArray();
            var first = members[0];
            space.Validate(first.Configuration);
            foreach (var run in members)
            {
                var curves = run.Curves.Keys.Order(StringComparer.Ordinal).ToArray();
                var fixedValues = run.Fixed.Keys.Order(StringComparer.Ordinal).ToArray();
                curveNames ??= curves;
                fixedNames ??= fixedValues;
                if (!curves.SequenceEqual(curveNames) || !fixedValues.SequenceEqual(fixedNames))
                {
                    throw new ArgumentException($"run of {group.Key} seed {run.Seed} records other values ({string.Join(", ", curves.Concat(fixedValues))}) than the table's first run ({string.Join(", ", curveNames.Concat(fixedNames))})");
                }

                var expected = run.DivergedAtEpoch is { } diverged ? diverged - 1 : maxEpoch;
                if (run.DivergedAtEpoch is < 1 or > int.MaxValue || expected > maxEpoch || run.Curves.Values.Any(c => c.Count != expected))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"run of {group.Key} seed {run.Seed} does not record {expected} epochs in every curve"));
                }
            }

            if (members.Select(r => r.Seed).Distinct().Count() != members.Length)
            {
                throw new ArgumentException($"configuration {group.Key} has a seed recorded twice");
            }

            _runs[group.Key] = members;
            order.Add(first.Configuration);
        }

        if (order.Count == 0)
        {
            throw new ArgumentException("a table needs at least one recorded run");
        }

        if (!curveNames!.Contains(TrainSeconds, StringComparer.Ordinal) || !fixedNames!.Contains(OverheadSeconds, StringComparer.Ordinal))
        {
            throw new ArgumentException($"a table records the curve {TrainSeconds} and the value {OverheadSeconds}");
        }

        Configurations = order;
        CurveMetrics = curveNames!;
        FixedMetrics = fixedNames!;
    }

    public SearchSpace Space { get; }

    /// <summary>The last epoch every run trained to (unless it diverged): the largest budget a study may ask for.</summary>
    public int MaxEpoch { get; }

    /// <summary>How the table was made (data, image size, subsets, machine, ...), as the generator wrote it.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The recorded configurations, in the order the table lists them.</summary>
    public IReadOnlyList<Configuration> Configurations { get; }

    /// <summary>Values recorded per epoch (val-error, test-error, train-loss, train-s, ...).</summary>
    public IReadOnlyList<string> CurveMetrics { get; }

    /// <summary>Values recorded once per run (params, flops, latency-ms, eval-s, ...).</summary>
    public IReadOnlyList<string> FixedMetrics { get; }

    public IEnumerable<TabularRun> Runs => Configurations.SelectMany(c => _runs[c.ToCanonicalString()]);

    public bool Contains(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return _runs.ContainsKey(configuration.ToCanonicalString());
    }

    /// <summary>Every recorded seed of a configuration.</summary>
    public IReadOnlyList<TabularRun> RunsOf(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return _runs.TryGetValue(configuration.ToCanonicalString(), out var runs)
            ? runs
            : throw new NotInTableException($"configuration {configuration} is not in the table ({Configurations.Count} configurations recorded)");
    }

    /// <summary>
    /// The run a study with this seed sees for a configuration: one of its recorded seeds, chosen by a stable hash of
    /// the study seed and the configuration, so a study sees one consistent table and another seed another draw.
    /// </summary>
    public TabularRun RunFor(Configuration configuration, long studySeed)
    {
        var runs = RunsOf(configuration);
        if (runs.Count == 1)
        {
            return runs[0];
        }

        var pick = StableHash.Combine((ulong)studySeed, StableHash.Of("tabular-seed"), configuration.Fingerprint) % (ulong)runs.Count;
        return runs[(int)pick];
    }

    /// <summary>Whether the table records the named value (per epoch or fixed).</summary>
    public bool Records(string metric) =>
        CurveMetrics.Contains(metric, StringComparer.Ordinal) || FixedMetrics.Contains(metric, StringComparer.Ordinal);

    /// <summary>
    /// The named value of a run after <paramref name="epoch"/> epochs (a fixed value whatever the epoch), or null when
    /// the run diverged at or before that epoch.
    /// </summary>
    public static double? ValueAt(TabularRun run, string metric, int epoch)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(metric);
        if (run.Fixed.TryGetValue(metric, out var value))
        {
            return run.DivergedAtEpoch is { } diverged && epoch >= diverged ? null : value;
        }

        if (!run.Curves.TryGetValue(metric, out var curve))
        {
            throw new KeyNotFoundException($"the table records no value \"{metric}\"");
        }

        return epoch >= 1 && epoch <= curve.Count ? curve[epoch - 1] : null;
    }

    /// <summary>Seconds of training from epoch <paramref name="from"/> (exclusive) to <paramref name="to"/> (inclusive).</summary>
    public static double TrainingSeconds(TabularRun run, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(run);
        var curve = run.Curves[TrainSeconds];
        var seconds = 0.0;
        for (var epoch = Math.Max(1, from + 1); epoch <= Math.Min(to, curve.Count); epoch++)
        {
            seconds += curve[epoch - 1];
        }

        return seconds;
    }
}
