using NasHpo.Benchmarks;

// dotnet run -c Release --project src/NasHpo.Benchmarks -- <suite> [--out results.json] [--runs N] [--python PATH]
//   engine and training: [--cases B4,B5,B6,B10 | B7,B8]
//   engine only: [--promotion synchronous|asynchronous|both] [--evaluations N (B6)]
//   journal only: [--db POSTGRESQL]
//   dashboard: --evaluations 100000 [--runs N]
//   chaos: [--kills N] [--seed S] [--parallel N] [--studies random,hyperband,...] [--scratch DIR]
//   chaos-cluster: --db POSTGRESQL [--faults N] [--seed S] [--trainers N] [--studies hyperband,...] [--scratch DIR]
//   training-parity: --configs results/training-parity/configs.json --seeds 1,2 --out FILE [--threads 2] [--data-dir DIR]
var suites = new Dictionary<string, Func<BenchmarkOptions, int>>(StringComparer.OrdinalIgnoreCase)
{
    ["pareto"] = ParetoBenchmarks.Run,
    ["sampler"] = SamplerBenchmarks.Run,
    ["engine"] = EngineBenchmarks.Run,
    ["training"] = TrainingBenchmarks.Run,
    ["journal"] = JournalBenchmarks.Run,
    ["training-parity"] = TrainingParity.Run,
    ["library"] = LibraryBenchmarks.Run,
    ["dashboard"] = DashboardBenchmarks.Run,
    ["chaos"] = ChaosBenchmark.Run,
    ["chaos-cluster"] = ClusterChaosBenchmark.Run,
};

if (!BenchmarkOptions.TryParse(args, out var options, out var error) || !suites.TryGetValue(options.Suite, out var suite))
{
    Console.Error.WriteLine(error ?? $"unknown suite '{options.Suite}'");
    Console.Error.WriteLine($"usage: NasHpo.Benchmarks <{string.Join('|', suites.Keys)}> [--out results.json] [--runs N] [--python PATH] [--cases B4,B5,B6] [--promotion synchronous|asynchronous|both] [--evaluations N] [--db POSTGRESQL] [--kills N] [--seed S] [--parallel N] [--studies A,B] [--scratch DIR] [--faults N] [--trainers N]");
    return 2;
}

return suite(options);
