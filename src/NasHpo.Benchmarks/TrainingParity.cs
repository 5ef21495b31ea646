using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training;
using NasHpo.Training.Data;

namespace NasHpo.Benchmarks;

/// <summary>
/// Issue 12 §1: trains the configurations of a configs file (results/training-parity/configs.json) with the engine's
/// own Fashion-MNIST workload, nine epochs each, for every seed asked, and records the validation error after every
/// epoch. The per-epoch errors come from budgets 1, 2, ... 9 of one trial chain, each continuing from the checkpoint of
/// the budget below, which the workload continues bit for bit, so the curve is that of one nine-epoch run.
/// All seeds share one training/validation split (the configs file's splitSeed); the seed varies the initial
/// weights and the data order. Resumable: each (configuration, seed) is written to the output as soon as it
/// finishes, and those already there are skipped.
/// </summary>
internal static class TrainingParity
{
    public static int Run(BenchmarkOptions options)
    {
        if (options.ConfigsPath is null || options.OutputPath is null)
        {
            Console.Error.WriteLine("training-parity needs --configs FILE and --out FILE");
            return 2;
        }

        var spec = JsonNode.Parse(File.ReadAllText(options.ConfigsPath))!.AsObject();
        var epochs = spec["epochs"]!.GetValue<int>();
        var configurations = spec["configurations"]!.AsArray()
            .Select(node => (Id: node!["id"]!.GetValue<long>(), Configuration: ToConfiguration(node["configuration"]!.AsObject())))
            .ToArray();
        var results = File.Exists(options.OutputPath)
            ? JsonNode.Parse(File.ReadAllText(options.OutputPath))!["results"]!.AsArray()
            : [];
        var done = results.Select(r => (r!["id"]!.GetValue<long>(), r["seed"]!.GetValue<long>())).ToHashSet();
        TrainingRuntime.ShareCpuThreads(1, options.Threads);
        var seeds = options.Seeds.Count > 0 ? options.Seeds : [1L];

        // Every configuration once before any twice, cheapest first (multiply-accumulates of one image): on a
        // shared CPU the run is cut short by time, and breadth over configurations is worth more than a second seed.
        var imageSize = spec["imageSize"]!.GetValue<int>();
        var byCost = configurations.OrderBy(c => MultiplyAccumulates(c.Configuration, imageSize)).ThenBy(c => c.Id).ToArray();
        foreach (var seed in seeds)
        {
            foreach (var (id, configuration) in byCost)
            {
                if (done.Contains((id, seed)))
                {
                    continue;
                }

                var data = new FashionMnistOptions
                {
                    DataDirectory = options.DataDirectory ?? FashionMnistOptions.DebianDirectory,
                    Seed = seed,
                    SplitSeed = spec["splitSeed"]!.GetValue<long>(),
                    ValidationFraction = spec["validationFraction"]!.GetValue<double>(),
                    TrainingSubset = spec["trainSubset"]!.GetValue<int>(),
                    ValidationSubset = spec["validationSubset"]!.GetValue<int>(),
                    TestSubset = spec["testSubset"]!.GetValue<int>(),
                    ImageSize = spec["imageSize"]!.GetValue<int>(),
                };
                var result = TrainOne(id, configuration, epochs, data);
                result["seed"] = seed;
                results.Add(result);
                Write(options.OutputPath, options.ConfigsPath, seeds, results);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"config {id} seed {seed}: val-error {result["valErrors"]!.ToJsonString()} ({result["seconds"]!.GetValue<double>():F0} s){(result["diverged"]!.GetValue<bool>() ? " diverged" : "")}"));
            }
        }

        return 0;
    }

    private static long MultiplyAccumulates(NasHpo.Core.SearchSpaces.Configuration configuration, int imageSize)
    {
        using var net = NasHpo.Training.Models.ConvNetBuilder.Build(configuration, imageSize);
        return net.MultiplyAccumulates;
    }

    private static JsonObject TrainOne(long id, NasHpo.Core.SearchSpaces.Configuration configuration, int epochs, FashionMnistOptions data)
    {
        var directory = Directory.CreateTempSubdirectory("nashpo-parity-");
        try
        {
            using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions
            {
                Data = data,
                Objectives = [FashionMnistWorkload.ValidationError, FashionMnistWorkload.ParameterCount],
                LatencyBatchSize = 1,
            });
            var context = new WorkloadContext("cpu", _ => { }, CancellationToken.None) { Checkpoints = new FolderCheckpoints(directory.FullName) };
            var validation = new JsonArray();
            var test = new JsonArray();
            var losses = new JsonArray();
            var diverged = false;
            double parameters = 0;
            var clock = Stopwatch.StartNew();
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var request = new TrialRequest(new TrialId(id, epoch), configuration, 0, epoch - 1, epoch > 1 ? new TrialId(id, epoch - 1) : null);
                try
                {
                    var metrics = workload.Run(request, context).Metrics;
                    validation.Add(metrics[FashionMnistWorkload.ValidationError]);
                    test.Add(metrics[FashionMnistWorkload.TestError]);
                    losses.Add(metrics["train-loss"]);
                    parameters = metrics[FashionMnistWorkload.ParameterCount];
                }
                catch (TrainingDivergedException)
                {
                    diverged = true;
                    break;
                }
            }

            return new JsonObject
            {
                ["id"] = id,
                ["params"] = parameters,
                ["valErrors"] = validation,
                ["testErrors"] = test,
                ["trainLosses"] = losses,
                ["diverged"] = diverged,
                ["seconds"] = clock.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Numbers stay numbers (integral ones become integers), booleans booleans, text a choice.</summary>
    private static NasHpo.Core.SearchSpaces.Configuration ToConfiguration(JsonObject values) =>
        new(values.Select(pair => new KeyValuePair<string, ParameterValue>(pair.Key, pair.Value!.GetValueKind() switch
        {
            JsonValueKind.True => ParameterValue.Of(true),
            JsonValueKind.False => ParameterValue.Of(false),
            JsonValueKind.Number => ParameterValue.Of(pair.Value.GetValue<double>()),
            _ => ParameterValue.Of(pair.Value.GetValue<string>()),
        })));

    private static void Write(string path, string configsPath, IReadOnlyList<long> seeds, JsonArray results)
    {
        var document = new JsonObject
        {
            ["implementation"] = "NasHpo.Training (TorchSharp), the engine's fashion-mnist workload",
            ["command"] = $"dotnet run -c Release --project src/NasHpo.Benchmarks -- training-parity --configs {configsPath} --seeds {string.Join(',', seeds)} --out {path}",
            ["device"] = "cpu",
            ["results"] = results.DeepClone(),
        };
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }

    private sealed class FolderCheckpoints(string directory) : ICheckpointStore
    {
        public string PathFor(TrialId trial) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{trial.ConfigurationId}-{trial.Budget}.ckpt"));
    }
}
