using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;
using NasHpo.Configuration.Tabular;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;
using NasHpo.Core.Workloads;
using NasHpo.Training;
using NasHpo.Training.Data;

namespace NasHpo.Cli.Tabular;

/// <summary>What <c>nashpo tabular generate</c> trains, on which data, and where it writes.</summary>
internal sealed record TabularGenerationSettings
{
    public required string SpaceFile { get; init; }

    public required string Output { get; init; }

    public int Epochs { get; init; } = 9;

    public IReadOnlyList<int> Seeds { get; init; } = [0];

    public string DataDirectory { get; init; } = FashionMnistOptions.DebianDirectory;

    public int ImageSize { get; init; } = 16;

    public int TrainSubset { get; init; } = 10_000;

    public int ValidationSubset { get; init; } = 2_000;

    public int TestSubset { get; init; } = 2_000;

    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>The batch size of configurations whose space has no <c>batch_size</c>.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Configurations trained at once, each on its own thread (small networks use one core badly).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>TorchSharp threads, shared by the workers (0: the cores divided among the workers).</summary>
    public int Threads { get; init; }

    public string Device { get; init; } = "cpu";

    /// <summary>Train only this many configurations, drawn with <see cref="SampleSeed"/> (a small table for tests).</summary>
    public int? Limit { get; init; }

    public long SampleSeed { get; init; } = 1;
}

/// <summary>
/// Builds a tabular benchmark with the project's own training (<see cref="FashionMnistWorkload"/>): every
/// configuration of a discrete space, once per seed, epoch by epoch. Epoch e is a trial at budget e that continues from
/// the checkpoint of the trial at budget e − 1, exactly as a promoted trial of a study continues (bit for bit the same
/// network as one trained straight through), so each epoch's validation and test error, training loss and training
/// time are what a study would have seen at that budget. Resumable: each finished run is appended to a work file
/// (<c>OUT.partial.jsonl</c>) and flushed, and a restart skips what it holds; when every run is in, the table is written
/// gzip'd to OUT and the work file removed. The engine's studies record only a trial's final values, so the generator
/// drives the workload itself rather than a study.
/// </summary>
internal sealed class TabularGenerator(CliConsole console, TabularGenerationSettings settings)
{
    /// <summary>The per-layer parameters of the Table 2 network that a table's space may give once for every layer.</summary>
    private static readonly string[] LayerParameters = ["filters", "kernel", "batch_norm"];

    private const string UnitsParameter = "units";

    public static string WorkFile(string output) => output + ".partial.jsonl";

    /// <summary>
    /// Trains one epoch of a run (a trial at that budget continuing from the previous epoch's checkpoint). Tests
    /// replace it to make a run fail in ways real training only rarely does.
    /// </summary>
    internal Func<FashionMnistWorkload, TrialRequest, WorkloadContext, WorkloadResult> RunTrial { get; init; } =
        static (workload, request, context) => workload.Run(request, context);

    public int Run(CancellationToken cancellation)
    {
        if (File.Exists(settings.Output) && !File.Exists(WorkFile(settings.Output)))
        {
            throw new UserErrorException($"--out: {settings.Output} exists; remove it to generate the table again");
        }

        var spaceText = ReadSpaceText(settings.SpaceFile);
        IReadOnlyList<Core.SearchSpaces.Configuration> configurations;
        try
        {
            var space = SearchSpaceReader.Read(HoconText.Parse(spaceText, settings.SpaceFile), "search-space");
            configurations = DiscreteEnumeration.All(space);
        }
        catch (ConfigurationException error)
        {
            throw new UserErrorException($"{settings.SpaceFile}: {error.Message}", error);
        }
        catch (SearchSpaceException error)
        {
            throw new UserErrorException($"{settings.SpaceFile}: search-space: {error.Detail}", error);
        }

        var total = configurations.Count;
        configurations = Sample(configurations);
        foreach (var configuration in configurations)
        {
            // Every configuration must build a network before hours are spent on the first ones.
            Training.Models.ConvNetSpec.FromConfiguration(ToNetworkConfiguration(configuration, settings.BatchSize));
        }

        var header = new TabularHeader(settings.Epochs, HeaderSettings(total, configurations.Count), spaceText);
        var work = WorkFile(settings.Output);
        var done = ResumeFrom(work, header);
        var pending = settings.Seeds.SelectMany(seed => configurations.Select(c => (Seed: seed, Configuration: c)))
            .Where(p => !done.ContainsKey(Key(p.Configuration, p.Seed)))
            .ToArray();
        console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"tabular benchmark: {configurations.Count} of {total} configurations x {settings.Seeds.Count} seed(s) x {settings.Epochs} epochs; {done.Count} runs already in {work}, {pending.Length} to train"));

        TrainingRuntime.ShareCpuThreads(settings.Workers, settings.Threads);
        var checkpoints = Path.Combine(Path.GetTempPath(), $"nashpo-tabular-{Environment.ProcessId}");
        var store = new DirectoryCheckpointStore(checkpoints);
        var clock = Stopwatch.StartNew();
        var failed = 0;
        try
        {
            using var output = new FileStream(work, FileMode.Append, FileAccess.Write, FileShare.Read);
            if (output.Length == 0)
            {
                Append(output, TabularTableFile.HeaderLine(header));
            }

            var gate = new object();
            foreach (var seedGroup in pending.GroupBy(p => p.Seed))
            {
                // One workload per seed: its data (split by the seed) is loaded once and read by every worker, as the
                // engine's devices share one workload.
                using var workload = CreateWorkload(seedGroup.Key);
                var options = new ParallelOptions { MaxDegreeOfParallelism = settings.Workers, CancellationToken = cancellation };
                RunParallel(seedGroup, options, item =>
                {
                    var outcome = TrainOne(workload, store, item.Configuration, item.Seed, cancellation);
                    lock (gate)
                    {
                        if (outcome.Run is { } run)
                        {
                            Append(output, TabularTableFile.RunLine(run));
                            done[Key(item.Configuration, item.Seed)] = run;
                            Report(run, outcome.Reason, done.Count, configurations.Count * settings.Seeds.Count, pending.Length, clock.Elapsed.TotalSeconds);
                        }
                        else
                        {
                            failed++;
                            console.Out.WriteLine(string.Create(
                                CultureInfo.InvariantCulture,
                                $"[failed] seed {item.Seed} {item.Configuration}: not recorded, {outcome.Reason}; the other runs go on, and running the same command again trains this one anew"));
                        }
                    }
                });
            }
        }
        finally
        {
            try
            {
                Directory.Delete(checkpoints, recursive: true);
            }
            catch (IOException)
            {
                // Only temporary files: nothing is lost if they stay.
            }
        }

        if (failed > 0)
        {
            // The work file holds every run that finished, so the same command trains only the failed ones again.
            console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"nashpo: {failed} of {pending.Length} runs failed in libtorch (see [failed] above) and are not in {work}; run the same command again to train them (the {done.Count} runs there are kept)"));
            return ExitCodes.InternalError;
        }

        var ordered = configurations.SelectMany(c => settings.Seeds.Select(seed => done[Key(c, seed)])).ToArray();
        // Read back through the same parser as studies use, so a table that was written is one that replays.
        TabularTableFile.Parse(new[] { TabularTableFile.HeaderLine(header) }.Concat(ordered.Select(TabularTableFile.RunLine)), settings.Output);
        TabularTableFile.Write(settings.Output, header, ordered);
        File.Delete(work);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {settings.Output}: {ordered.Length} runs, {new FileInfo(settings.Output).Length} bytes; this session trained for {clock.Elapsed.TotalSeconds:F0} s"));
        return ExitCodes.Success;
    }

    /// <summary>Parallel.ForEach that rethrows a worker's exception itself (a cancellation stays a cancellation).</summary>
    private static void RunParallel<T>(IEnumerable<T> items, ParallelOptions options, Action<T> body)
    {
        try
        {
            Parallel.ForEach(items, options, body);
        }
        catch (AggregateException error) when (error.InnerExceptions.Count > 0)
        {
            var first = error.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? error.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    private void Report(TabularRun run, string? divergence, int finished, int all, int pending, double elapsed)
    {
        var left = elapsed / Math.Max(1, finished - (all - pending)) * (all - finished);
        console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{finished}/{all}] seed {run.Seed} {run.Configuration}: val-error {(run.RecordedEpochs > 0 ? run.Curves["val-error"][^1] : double.NaN):F4} after {run.RecordedEpochs} epochs{(run.DivergedAtEpoch is { } d ? $" (diverged in epoch {d}: {divergence}; recorded as diverged)" : string.Empty)}; {elapsed:F0} s so far, about {left:F0} s left"));
    }

    /// <summary>
    /// The Table 2 configuration the network builder reads: a parameter given once (<c>filters</c>, <c>kernel</c>,
    /// <c>batch_norm</c>, <c>units</c>) applies to every layer (<c>filters_1</c> … <c>filters_n</c>); indexed names are
    /// kept; <c>batch_size</c> defaults to the generator's setting.
    /// </summary>
    internal static Core.SearchSpaces.Configuration ToNetworkConfiguration(Core.SearchSpaces.Configuration configuration, int batchSize)
    {
        var values = new Dictionary<string, ParameterValue>(configuration.Values, StringComparer.Ordinal);
        var convLayers = configuration.GetInt32("conv_layers");
        var fcLayers = configuration.GetInt32("fc_layers");
        foreach (var name in LayerParameters)
        {
            ExpandShared(values, name, convLayers);
        }

        ExpandShared(values, UnitsParameter, fcLayers);
        values.TryAdd("batch_size", ParameterValue.Of(batchSize));
        return new Core.SearchSpaces.Configuration(values);
    }

    private static void ExpandShared(Dictionary<string, ParameterValue> values, string name, int layers)
    {
        if (!values.Remove(name, out var shared))
        {
            return;
        }

        for (var i = 1; i <= layers; i++)
        {
            values.TryAdd(string.Create(CultureInfo.InvariantCulture, $"{name}_{i}"), shared);
        }
    }

    /// <summary>
    /// Trains one configuration with one seed, epoch by epoch. A run whose training diverges (a NaN or infinite loss,
    /// an update that overflows) is a result: it is recorded with the epochs before. A run that libtorch fails in any
    /// other way (its error says nothing about the configuration, such as an internal check or memory) has no
    /// result: <see cref="RunOutcome.Run"/> is null and the reason says why, so that one run never ends the hours of
    /// all the others, and nothing that a rerun could contradict enters the table. Any other exception (I/O, bad
    /// input, cancellation) propagates and stops the generation.
    /// </summary>
    private RunOutcome TrainOne(FashionMnistWorkload workload, DirectoryCheckpointStore store, Core.SearchSpaces.Configuration configuration, int seed, CancellationToken cancellation)
    {
        var network = ToNetworkConfiguration(configuration, settings.BatchSize);
        var id = (long)(StableHash.Combine(configuration.Fingerprint, (ulong)seed) >> 2);
        var curves = new Dictionary<string, List<double>>(StringComparer.Ordinal)
        {
            ["val-error"] = [], ["test-error"] = [], ["train-loss"] = [], [TabularTable.TrainSeconds] = [],
        };
        var latencies = new List<double>();
        var overheads = new List<double>();
        double parameters = 0, multiplyAccumulates = 0;
        int? diverged = null;
        string? reason = null;
        var context = new WorkloadContext(settings.Device, _ => { }, cancellation) { Checkpoints = store, ContinueFromParent = true };
        try
        {
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                var trial = new TrialId(id, epoch);
                var request = new TrialRequest(trial, network, 0, epoch - 1, epoch > 1 ? new TrialId(id, epoch - 1) : null);
                var stopwatch = Stopwatch.StartNew();
                WorkloadResult result;
                try
                {
                    result = RunTrial(workload, request, context);
                }
                catch (TrainingDivergedException error)
                {
                    diverged = epoch;
                    reason = error.Message;
                    break;
                }
                catch (ExternalException error)
                {
                    return new RunOutcome(null, string.Create(CultureInfo.InvariantCulture, $"libtorch failed in epoch {epoch}: {LibTorchErrors.FirstLine(error)}"));
                }

                var wall = stopwatch.Elapsed.TotalSeconds;
                var metrics = result.Metrics;
                // Errors are counts over image sets of a few thousand: six decimals keep them exact and the file short.
                curves["val-error"].Add(Math.Round(metrics[FashionMnistWorkload.ValidationError], 6));
                curves["test-error"].Add(Math.Round(metrics[FashionMnistWorkload.TestError], 6));
                curves["train-loss"].Add(Math.Round(metrics["train-loss"], 6));
                curves[TabularTable.TrainSeconds].Add(Math.Round(metrics["train-time-s"], 4));
                overheads.Add(Math.Max(0, wall - metrics["train-time-s"]));
                latencies.Add(metrics[FashionMnistWorkload.LatencyMs]);
                parameters = metrics[FashionMnistWorkload.ParameterCount];
                multiplyAccumulates = metrics[FashionMnistWorkload.Flops];
                if (epoch > 1)
                {
                    store.Delete(new TrialId(id, epoch - 1));
                }
            }
        }
        finally
        {
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                store.Delete(new TrialId(id, epoch));
            }
        }

        if (latencies.Count == 0)
        {
            // Diverged in its first epoch: the cheap values still describe the network.
            var cheap = workload.EvaluateCheap(network, [FashionMnistWorkload.ParameterCount, FashionMnistWorkload.Flops, FashionMnistWorkload.LatencyMs]);
            (parameters, multiplyAccumulates) = (cheap[FashionMnistWorkload.ParameterCount], cheap[FashionMnistWorkload.Flops]);
            latencies.Add(cheap[FashionMnistWorkload.LatencyMs]);
            overheads.Add(0);
        }

        var fixedValues = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [FashionMnistWorkload.ParameterCount] = parameters,
            [FashionMnistWorkload.Flops] = multiplyAccumulates,
            [FashionMnistWorkload.LatencyMs] = Math.Round(Median(latencies), 4),
            [TabularTable.OverheadSeconds] = Math.Round(Median(overheads), 4),
        };
        return new RunOutcome(new TabularRun(configuration, seed, fixedValues, curves.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value, StringComparer.Ordinal), diverged), reason);
    }

    private FashionMnistWorkload CreateWorkload(int seed) => new(new FashionMnistWorkloadOptions
    {
        Data = new FashionMnistOptions
        {
            DataDirectory = settings.DataDirectory,
            ValidationFraction = settings.ValidationFraction,
            Seed = seed,
            TrainingSubset = settings.TrainSubset,
            ValidationSubset = settings.ValidationSubset,
            TestSubset = settings.TestSubset,
            ImageSize = settings.ImageSize,
        },
        Objectives = [FashionMnistWorkload.ValidationError],
    });

    private IReadOnlyList<Core.SearchSpaces.Configuration> Sample(IReadOnlyList<Core.SearchSpaces.Configuration> configurations)
    {
        if (settings.Limit is not { } limit || limit >= configurations.Count)
        {
            return configurations;
        }

        var indices = Enumerable.Range(0, configurations.Count).ToArray();
        new DeterministicRandom(StableHash.Combine((ulong)settings.SampleSeed, StableHash.Of("tabular-sample"))).Shuffle(indices);
        return indices.Take(limit).Order().Select(i => configurations[i]).ToArray();
    }

    private Dictionary<string, string> HeaderSettings(int total, int chosen)
    {
        string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var header = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["dataset"] = "fashion-mnist",
            ["image-size"] = Text(settings.ImageSize),
            ["train-subset"] = Text(settings.TrainSubset),
            ["validation-subset"] = Text(settings.ValidationSubset),
            ["test-subset"] = Text(settings.TestSubset),
            ["validation-fraction"] = Text(settings.ValidationFraction),
            ["batch-size"] = Text(settings.BatchSize),
            ["seeds"] = string.Join(",", settings.Seeds),
            ["configurations"] = string.Create(CultureInfo.InvariantCulture, $"{chosen} of {total}"),
            ["training"] = "NasHpo.Training FashionMnistWorkload (Table 2 convnet, Adam), continued epoch by epoch from checkpoints",
        };
        if (settings.Limit is not null)
        {
            header["sample-seed"] = Text(settings.SampleSeed);
        }

        return header;
    }

    private static Dictionary<string, TabularRun> ResumeFrom(string work, TabularHeader header)
    {
        (TabularHeader Header, IReadOnlyList<TabularRun> Runs)? existing;
        try
        {
            existing = TabularTableFile.ReadWorkFile(work);
        }
        catch (FormatException error)
        {
            throw new UserErrorException($"{work}: {error.Message} (remove it to start over)", error);
        }

        if (existing is not { } found)
        {
            File.Delete(work);
            return new Dictionary<string, TabularRun>(StringComparer.Ordinal);
        }

        if (TabularTableFile.HeaderLine(found.Header) != TabularTableFile.HeaderLine(header))
        {
            throw new UserErrorException($"{work} was started with other settings or another space; run the same command, or remove it to start over");
        }

        // Whatever follows the last complete line (a kill mid-write) is cut off, so appending starts on a fresh line.
        var whole = File.ReadAllText(work);
        var end = whole.LastIndexOf('\n') + 1;
        if (end < whole.Length)
        {
            using var file = new FileStream(work, FileMode.Open, FileAccess.Write);
            file.SetLength(Encoding.UTF8.GetByteCount(whole.AsSpan(0, end)));
        }

        return found.Runs.ToDictionary(r => Key(r.Configuration, r.Seed), StringComparer.Ordinal);
    }

    private static string Key(Core.SearchSpaces.Configuration configuration, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{seed}|{configuration.ToCanonicalString()}");

    private static void Append(FileStream output, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        output.Write(bytes);
        output.Flush(flushToDisk: true);
    }

    private static string ReadSpaceText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{file}: cannot read the space: {error.Message}", error);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}

/// <param name="Run">The run to record, or null when libtorch failed it in a way that says nothing about the configuration.</param>
/// <param name="Reason">Why the run diverged, or why it failed; null for a run that trained every epoch.</param>
internal sealed record RunOutcome(TabularRun? Run, string? Reason);
