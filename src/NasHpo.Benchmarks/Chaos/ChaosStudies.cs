namespace NasHpo.Benchmarks.Chaos;

/// <summary>
/// One study of a chaos run. <paramref name="Deterministic"/> ones (one device, synthetic objective, fixed seed) must
/// end with the ledger and front of an uninterrupted run; the others must end with as many evaluations and nothing
/// lost or run twice. <paramref name="Checkpoints"/> studies write checkpoints that resumed trials continue from.
/// </summary>
internal sealed record ChaosStudy(string Name, string Hocon, bool Deterministic, bool Checkpoints = false);

/// <summary>
/// The studies a chaos run kills: every optimizer on a synthetic problem in deterministic mode (Hyperband with both
/// promotion modes, the asynchronous one with checkpoints), a tiny Fashion-MNIST training study with checkpoints,
/// and a command study of the dependency-free example program (src/examples/command/quadratic.py) on two slots.
/// Each is small (seconds uninterrupted) and slow enough per evaluation that kills land in its middle.
/// </summary>
internal static class ChaosStudies
{
    /// <summary>Every study's name, in the order a run starts them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "random", "hyperband", "hyperband-async", "bohb", "mo-bohb", "sh-emoa", "mo-bananas", "ms-ehvi", "bulk-and-cut",
        "training", "command",
    ];

    /// <summary>
    /// The studies named (all when <paramref name="names"/> is empty); an unknown name is an error.
    /// <paramref name="syntheticDelay"/> is a synthetic evaluation's time at the full budget.
    /// </summary>
    public static IReadOnlyList<ChaosStudy> Select(IReadOnlyCollection<string> names, string repositoryRoot, string syntheticDelay = "40ms")
    {
        var unknown = names.Where(n => !Names.Contains(n, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"unknown chaos studies: {string.Join(", ", unknown)} (known: {string.Join(", ", Names)})");
        }

        return Names.Where(n => names.Count == 0 || names.Contains(n, StringComparer.OrdinalIgnoreCase)).Select(n => Create(n, repositoryRoot, syntheticDelay)).ToArray();
    }

    /// <summary>The repository's root, found upwards from <paramref name="start"/> (the program's or test's folder).</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "src", "examples", "command", "quadratic.py")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no repository with src/examples/command/quadratic.py above {start}");
    }

    private static ChaosStudy Create(string name, string root, string delay) => name switch
    {
        "random" => Synthetic(name, delay, "type = random, max-budget = 1", 30),
        "hyperband" => Synthetic(name, delay, "type = hyperband, eta = 3, min-budget = 1, max-budget = 9", 40),
        "hyperband-async" => Synthetic(name, delay, "type = hyperband, eta = 3, min-budget = 1, max-budget = 9, promotion = asynchronous", 40, checkpoints: true),
        "bohb" => Synthetic(name, delay, "type = bohb, eta = 3, min-budget = 1, max-budget = 9", 40),
        "mo-bohb" => Synthetic(name, delay, "type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9", 40),
        "sh-emoa" => Synthetic(name, delay, "type = sh-emoa, eta = 3, min-budget = 1, max-budget = 9, population-size = 6", 40),
        "mo-bananas" => Synthetic(name, delay, "type = mo-bananas, eta = 3, min-budget = 1, max-budget = 9", 40),
        "ms-ehvi" => Synthetic(name, delay, "type = ms-ehvi, max-budget = 1", 20),
        "bulk-and-cut" => Synthetic(name, delay, "type = bulk-and-cut, max-budget = 1", 30),
        "training" => Training(),
        "command" => Command(root),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown chaos study"),
    };

    // 40 ms per evaluation at the full budget by default: a study lasts a few seconds, so kills land in its middle.
    private static ChaosStudy Synthetic(string name, string delay, string optimizer, int evaluations, bool checkpoints = false) => new(name, $$"""
        study {
          seed = 17
          devices = 1
          problem { type = zdt1, dimensions = 4, delay = {{delay}}{{(checkpoints ? ", checkpoints = true" : "")}} }
          optimizer { {{optimizer}} }
          stop { max-evaluations = {{evaluations}} }
        }
        """, Deterministic: true, checkpoints);

    // One tiny network, trained 1 to 4 epochs of 1 024 images at 16 × 16 pixels: a second or so per epoch, a
    // checkpoint after each. Training is not bit-for-bit repeatable on shared cores, so it is not compared row by row.
    private static ChaosStudy Training() => new("training", """
        study {
          seed = 5
          devices = 1
          problem { type = fashion-mnist, train-subset = 1024, validation-subset = 256, test-subset = 256, image-size = 16 }
          search-space {
            conv_layers { type = int, lower = 1, upper = 1 }
            filters_1 { type = int, lower = 4, upper = 16 }
            kernel_1 { type = categorical, choices = [3] }
            batch_norm_1 { type = categorical, choices = [true] }
            global_avg_pooling { type = categorical, choices = [false] }
            fc_layers { type = int, lower = 1, upper = 1 }
            units_1 { type = int, lower = 16, upper = 32 }
            learning_rate { type = float, lower = 0.001, upper = 0.01 }
            batch_size { type = int, lower = 32, upper = 64 }
          }
          optimizer { type = hyperband, eta = 2, min-budget = 1, max-budget = 4, continue-from-checkpoint = true }
          stop { max-evaluations = 8 }
        }
        """, Deterministic: false, Checkpoints: true);

    // The example program on two CPU slots (so not deterministic), 50 ms per epoch, continuing from checkpoints.
    private static ChaosStudy Command(string root) => new("command", $$"""
        study {
          seed = 3
          devices = 2
          problem {
            type = command
            command = ["python3", "quadratic.py", "--x", "${x}", "--y", "${y}", "--shift", "${shift}", "--epochs", "${budget}"]
            cheap-command = ["python3", "quadratic.py", "--x", "${x}", "--y", "${y}", "--cheap"]
            working-dir = "{{Path.Combine(root, "src", "examples", "command")}}"
            environment { QUADRATIC_EPOCH_SECONDS = "0.05" }
            trial-timeout = 1m
            grace-period = 2s
          }
          objectives = [
            { name = loss }
            { name = size, cost = cheap }
          ]
          reference-point = [20, 20]
          search-space {
            x { type = float, lower = -1, upper = 3 }
            y { type = float, lower = -1, upper = 2 }
            shifted { type = bool }
            shift { type = float, lower = 0, upper = 1, when = "shifted == true" }
          }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9, continue-from-checkpoint = true }
          stop { max-evaluations = 24 }
        }
        """, Deterministic: false, Checkpoints: true);
}
