using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training;
using NasHpo.Training.Data;
using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>
/// B7 (a trial's training speed inside the engine against the same loop alone, with Debian's PyTorch for
/// reference) and B8 (resident memory over 200 consecutive small training trials in one process).
/// </summary>
internal static class TrainingBenchmarks
{
    private const int TrainImages = 6000;
    private const int Epochs = 3;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    // PLATFORM.md's 421k-parameter CNN: two 3x3 convolutions (32, 64 filters) with max-pooling, one layer of 128 units.
    private const string Network = """
        conv_layers { type = int, lower = 2, upper = 2 }
        filters_1 { type = int, lower = 32, upper = 32 }
        filters_2 { type = int, lower = 64, upper = 64 }
        kernel_1 { type = categorical, choices = [3] }
        kernel_2 { type = categorical, choices = [3] }
        batch_norm_1 { type = categorical, choices = [false] }
        batch_norm_2 { type = categorical, choices = [false] }
        global_avg_pooling { type = categorical, choices = [false] }
        fc_layers { type = int, lower = 1, upper = 1 }
        units_1 { type = int, lower = 128, upper = 128 }
        learning_rate { type = float, lower = 0.001, upper = 0.001 }
        batch_size { type = int, lower = 128, upper = 128 }
        """;

    private sealed record Row(string Id, string Case, double Value, string Unit, string Target, bool? Met, string Detail);

    public static int Run(BenchmarkOptions options)
    {
        if (!File.Exists(Path.Combine(FashionMnistOptions.DebianDirectory, "train-images-idx3-ubyte.gz")))
        {
            Console.Error.WriteLine("the training benchmarks need Debian's dataset: apt-get install dataset-fashion-mnist");
            return 2;
        }

        var scratch = Directory.CreateTempSubdirectory("nashpo-bench-training-");
        try
        {
            var rows = new List<Row>();
            if (options.Includes("B7"))
            {
                rows.AddRange(Speed(scratch.FullName, options));
            }

            if (options.Includes("B8"))
            {
                rows.Add(Memory(scratch.FullName));
            }

            Console.WriteLine("Training benchmarks (Fashion-MNIST, CPU)");
            Console.WriteLine(Invariant($"  {"id",-3} {"case",-62} {"value",10} {"unit",-9} {"target",-12} ok   detail"));
            foreach (var r in rows)
            {
                Console.WriteLine(Invariant($"  {r.Id,-3} {r.Case,-62} {r.Value,10:F1} {r.Unit,-9} {r.Target,-12} {(r.Met is null ? "-" : r.Met.Value ? "yes" : "NO"),-4} {r.Detail}"));
            }

            var path = options.OutputPath ?? Path.Combine(Path.GetTempPath(), "nashpo-bench-training.json");
            File.WriteAllText(path, JsonSerializer.Serialize(new { suite = "training", cores = Environment.ProcessorCount, rows }, JsonOptions));
            Console.WriteLine(Invariant($"JSON written to {path}"));
            return rows.All(r => r.Met != false) ? 0 : 1;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>B7: the same trial (3 epochs on 6 000 images) through the engine and alone, alternating; medians of up to 5 runs after a warm-up pair.</summary>
    private static IEnumerable<Row> Speed(string scratch, BenchmarkOptions options)
    {
        var definition = Study("devices = 1", $"problem {{ type = fashion-mnist, train-subset = {TrainImages}, validation-subset = 1000, test-subset = 1000 }}",
            $"search-space {{ {Network} }}", $"optimizer {{ type = random, max-budget = {Epochs} }}", "stop { max-evaluations = 1 }");
        var runs = Math.Max(1, Math.Min(options.Runs, 5));
        var alone = new List<double>();
        var engine = new List<double>();
        var totals = new List<double>();
        // One unmeasured pair first: the first run of either, JIT and libtorch's first allocations included, was up to
        // 40 % slower than the later ones, so whichever ran first lost.
        AloneSeconds(definition);
        EngineSeconds(Path.Combine(scratch, "b7-warm-up.db"), definition);
        for (var run = 0; run < runs; run++)
        {
            alone.Add(AloneSeconds(definition));
            var (training, total) = EngineSeconds(Path.Combine(scratch, $"b7-{run}.db"), definition);
            engine.Add(training);
            totals.Add(total);
        }

        // Medians; the details list the runs in the order they ran (alone and engine alternate).
        var aloneRate = TrainImages * Epochs / alone.Order().ElementAt(runs / 2);
        var engineRate = TrainImages * Epochs / engine.Order().ElementAt(runs / 2);
        yield return new Row("B7", "the training loop alone (workload on its own thread, no engine)", aloneRate, "images/s", string.Empty, null,
            "training seconds per run: " + string.Join(" ", alone.Select(s => s.ToString("F2", CultureInfo.InvariantCulture))));
        yield return new Row("B7", "the same trial's training loop inside the engine", engineRate, "images/s", "≥ 95 % alone", engineRate >= 0.95 * aloneRate,
            Invariant($"{engineRate / aloneRate * 100:F1} % of alone; training seconds per run: {string.Join(" ", engine.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))}; whole study (data loading, evaluation, journal): {string.Join(" ", totals.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} s"));

        var pytorch = PyTorch(options.Python);
        if (pytorch is { } rate)
        {
            yield return new Row("B7", "reference: the same CNN and loop in Debian's PyTorch 1.13", rate, "images/s", string.Empty, null,
                Invariant($"engine / PyTorch = {engineRate / rate:F2}; training loop only, {Environment.ProcessorCount} threads"));
        }
        else
        {
            yield return new Row("B7", "reference: Debian's PyTorch unavailable (apt-get install python3-torch)", 0, "images/s", string.Empty, null, string.Empty);
        }
    }

    /// <summary>
    /// B8: 200 small trials in one process; resident memory after trial 200 against after trial 20. Both are read
    /// after a full collection, so that what is compared is what stays alive, not when the collector last ran.
    /// </summary>
    private static Row Memory(string scratch)
    {
        var definition = Study("devices = 1", "problem { type = fashion-mnist, train-subset = 256, validation-subset = 128, test-subset = 128, image-size = 16 }",
            """
            search-space {
              conv_layers { type = int, lower = 1, upper = 2 }
              filters_1 { type = int, lower = 4, upper = 16, log = true }
              filters_2 { type = int, lower = 4, upper = 16, log = true, when = "conv_layers >= 2" }
              kernel_1 { type = categorical, choices = [3, 5] }
              kernel_2 { type = categorical, choices = [3, 5], when = "conv_layers >= 2" }
              batch_norm_1 { type = bool }
              batch_norm_2 { type = bool, when = "conv_layers >= 2" }
              global_avg_pooling { type = bool }
              fc_layers { type = int, lower = 1, upper = 2 }
              units_1 { type = int, lower = 8, upper = 32, log = true }
              units_2 { type = int, lower = 8, upper = 32, log = true, when = "fc_layers >= 2" }
              learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
              batch_size { type = int, lower = 32, upper = 64, log = true }
            }
            """,
            "optimizer { type = random, max-budget = 1 }", "stop { max-evaluations = 200 }");
        var host = EngineHost.Create(Path.Combine(scratch, "b8.db"));
        try
        {
            host.StartEngine(definition.DeviceNames);
            var at20 = 0L;
            host.RunStudyAsync("b8", definition, new Progress<StudyStatus>(status =>
            {
                if (status.Evaluations >= 20)
                {
                    Interlocked.CompareExchange(ref at20, ResidentBytes(), 0);
                }
            })).GetAwaiter().GetResult();

            var at200 = ResidentBytes();
            var growth = (double)(at200 - at20) / at20 * 100;
            return new Row("B8", "resident memory, 200 small training trials in one process", growth, "% growth", "≤ 10 %", growth <= 10,
                Invariant($"after trial 20: {at20 / 1048576.0:F0} MiB, after trial 200: {at200 / 1048576.0:F0} MiB"));
        }
        finally
        {
            host.System.Terminate().Wait();
        }
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    /// <summary>Runs the trial's workload directly on a thread of its own, as a device would: its training loop's seconds.</summary>
    private static double AloneSeconds(StudyDefinition definition)
    {
        var request = new TrialRequest(new TrialId(0, Epochs), definition.Space.Sample(new Random(1)), 0, 0, null);
        using var workload = (FashionMnistWorkload)NasHpo.Actors.Workloads.WorkloadCatalog.Create(definition);
        var seconds = 0.0;
        var thread = new Thread(() => seconds = workload.Run(request, new WorkloadContext("cpu-0", _ => { }, CancellationToken.None)).Metrics["train-time-s"]);
        thread.Start();
        thread.Join();
        return seconds;
    }

    /// <summary>
    /// Runs the one-trial study through the engine: the trial's training loop's seconds (what B7 compares) and the
    /// time from asking for the study to its end (data loading, evaluation and journal writes included).
    /// </summary>
    private static (double Training, double Total) EngineSeconds(string database, StudyDefinition definition)
    {
        var host = EngineHost.Create(database);
        try
        {
            host.StartEngine(definition.DeviceNames);
            var watch = Stopwatch.StartNew();
            host.RunStudyAsync("b7", definition).GetAwaiter().GetResult();

            var total = watch.Elapsed.TotalSeconds;
            var record = JournalReader.ReadStudyAsync(host.System, "b7").GetAwaiter().GetResult();
            return (record.Trials.Single().Completed!.Metrics["train-time-s"], total);
        }
        finally
        {
            host.System.Terminate().Wait();
        }
    }

    private static double? PyTorch(string python)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_cnn.py");
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, FashionMnistOptions.DebianDirectory, TrainImages.ToString(CultureInfo.InvariantCulture), Epochs.ToString(CultureInfo.InvariantCulture), Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                return null;
            }

            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty("images_per_second").GetDouble();
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or IOException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static StudyDefinition Study(params string[] lines) => StudyDefinitionReader.FromHocon("study {\n" + string.Join("\n", lines) + "\n}");
}
