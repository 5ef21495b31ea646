using System.Globalization;

namespace NasHpo.Benchmarks;

/// <summary>
/// Command-line options shared by every suite. <paramref name="Cases"/> limits the engine suite to some of its
/// benchmarks (B4, B5, B6); <paramref name="Promotion"/> picks the promotion modes B6 runs Hyperband with
/// (synchronous, asynchronous or both); <paramref name="Evaluations"/> overrides B6's study size;
/// <paramref name="Database"/> is the PostgreSQL journal the journal suite compares with SQLite.
/// </summary>
internal sealed record BenchmarkOptions(string Suite, string? OutputPath, int Runs, string Python, IReadOnlySet<string> Cases, string Promotion, int Evaluations, string? Database = null)
{
    /// <summary>training-parity: the configurations file, the training seeds, libtorch threads and the IDX folder.</summary>
    public string? ConfigsPath { get; init; }

    public IReadOnlyList<long> Seeds { get; init; } = [];

    public int Threads { get; init; } = 2;

    public string? DataDirectory { get; init; }

    /// <summary>chaos: kills in all, the seed of their moments, studies at once, which studies (all when empty), scratch folder.</summary>
    public int Kills { get; init; } = 100;

    public ulong Seed { get; init; } = 20261205;

    public int Parallel { get; init; } = 4;

    public IReadOnlyList<string> Studies { get; init; } = [];

    public string? Scratch { get; init; }

    /// <summary>chaos-cluster: faults in all, and trainer processes kept running.</summary>
    public int Faults { get; init; } = 100;

    public int Trainers { get; init; } = 2;

    public static IReadOnlyList<string> PromotionChoices { get; } = ["synchronous", "asynchronous", "both"];

    /// <summary>Whether a benchmark id was asked for (all of them when --cases is not given).</summary>
    public bool Includes(string id) => Cases.Count == 0 || Cases.Contains(id);

    public static bool TryParse(string[] args, out BenchmarkOptions options, out string? error)
    {
        options = new BenchmarkOptions("", null, 9, "/usr/bin/python3", new HashSet<string>(StringComparer.OrdinalIgnoreCase), "both", 2000);
        error = null;
        string? suite = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{arg} needs a value";
                    return false;
                }

                var value = args[++i];
                switch (arg)
                {
                    case "--out":
                        options = options with { OutputPath = value };
                        break;
                    case "--runs" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var runs) && runs > 0:
                        options = options with { Runs = runs };
                        break;
                    case "--python":
                        options = options with { Python = value };
                        break;
                    case "--cases":
                        options = options with { Cases = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase) };
                        break;
                    case "--promotion" when PromotionChoices.Contains(value, StringComparer.Ordinal):
                        options = options with { Promotion = value };
                        break;
                    case "--evaluations" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var evaluations) && evaluations > 0:
                        options = options with { Evaluations = evaluations };
                        break;
                    case "--configs":
                        options = options with { ConfigsPath = value };
                        break;
                    case "--seeds":
                        options = options with { Seeds = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray() };
                        break;
                    case "--threads" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threads) && threads > 0:
                        options = options with { Threads = threads };
                        break;
                    case "--data-dir":
                        options = options with { DataDirectory = value };
                        break;
                    case "--db":
                        options = options with { Database = value };
                        break;
                    case "--kills" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kills) && kills >= 0:
                        options = options with { Kills = kills };
                        break;
                    case "--seed" when ulong.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed):
                        options = options with { Seed = seed };
                        break;
                    case "--parallel" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parallel) && parallel > 0:
                        options = options with { Parallel = parallel };
                        break;
                    case "--studies":
                        options = options with { Studies = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                        break;
                    case "--faults" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var faults) && faults >= 0:
                        options = options with { Faults = faults };
                        break;
                    case "--trainers" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var trainers) && trainers > 0:
                        options = options with { Trainers = trainers };
                        break;
                    case "--scratch":
                        options = options with { Scratch = value };
                        break;
                    default:
                        error = $"unknown or invalid option {arg} {value}";
                        return false;
                }
            }
            else if (suite is null)
            {
                suite = arg;
            }
            else
            {
                error = $"unexpected argument {arg}";
                return false;
            }
        }

        if (suite is null)
        {
            error = "no suite given";
            return false;
        }

        options = options with { Suite = suite };
        return true;
    }
}
