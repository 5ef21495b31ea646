using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// A fact that runs src/examples/pytorch/train_table2.py with Debian's python3-torch on Debian's Fashion-MNIST.
/// Where either is missing the test is skipped with the reason; under CI (CI=true), which installs both
/// (python3-torch, dataset-fashion-mnist), it is never skipped, so a missing package fails loudly.
/// </summary>
internal sealed class PyTorchExampleFactAttribute : FactAttribute
{
    public PyTorchExampleFactAttribute()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!File.Exists("/usr/lib/python3/dist-packages/torch/__init__.py"))
        {
            Skip = "Debian's PyTorch is not installed (apt-get install python3-torch)";
        }
        else if (!File.Exists(Path.Combine(RealFashionMnistFactAttribute.DebianDirectory, "train-images-idx3-ubyte.gz")))
        {
            Skip = $"Fashion-MNIST is not installed in {RealFashionMnistFactAttribute.DebianDirectory} (apt-get install dataset-fashion-mnist)";
        }
    }
}

/// <summary>The example script as a process: its reports, exit code and stderr.</summary>
internal static class PyTorchExample
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Tiny data so a run takes seconds: 16x16 images, 600 training and 300 validation images.</summary>
    public static readonly string[] TinyData = ["--image-size", "16", "--train-subset", "600", "--validation-subset", "300", "--test-subset", "300", "--split-seed", "1"];

    /// <summary>src/examples/pytorch, found above the test assembly.</summary>
    public static string Directory { get; } = FindExampleDirectory();

    public static string Script => Path.Combine(Directory, "train_table2.py");

    private static string FindExampleDirectory()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "examples", "pytorch");
            if (File.Exists(Path.Combine(candidate, "train_table2.py")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no src/examples/pytorch/train_table2.py above {AppContext.BaseDirectory}");
    }

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // One thread: CPU training is then bit-for-bit repeatable, which the continuation checks rely on.
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public static async Task<Run> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan limit, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        return await WaitAsync(process, limit);
    }

    public static async Task<Run> WaitAsync(Process process, TimeSpan limit)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"train_table2.py did not finish within {limit}");
        }

        return new Run(process.ExitCode, Reports(await stdout), await stderr);
    }

    /// <summary>The NASHPO_REPORT lines of the output, in order.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> Reports(string stdout) =>
        stdout.Split('\n')
            .Where(line => line.StartsWith("NASHPO_REPORT ", StringComparison.Ordinal))
            .Select(line => (IReadOnlyDictionary<string, double>)JsonSerializer.Deserialize<Dictionary<string, double>>(line["NASHPO_REPORT ".Length..])!)
            .ToArray();

    /// <summary>A request file as the engine writes it (the parts the script reads).</summary>
    public static string WriteRequest(string directory, double budget, long seed)
    {
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"request-{budget}.json"));
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            { "study": "s", "trial": "trial-0-b{{budget}}", "configurationId": 0, "budget": {{budget}}, "seed": {{seed}}, "device": "cpu:0",
              "configuration": { "conv_layers": 2, "filters_1": 8, "kernel_1": 3, "batch_norm_1": true, "filters_2": 8, "kernel_2": 5,
                                 "batch_norm_2": false, "global_avg_pooling": false, "fc_layers": 1, "units_1": 16,
                                 "learning_rate": 0.003, "batch_size": 32 },
              "objectives": [ { "name": "val-error", "direction": "minimize", "cost": "expensive" },
                              { "name": "params", "direction": "minimize", "cost": "cheap" } ] }
            """));
        return path;
    }

    /// <summary>
    /// More training images for the run that is stopped mid-way: an epoch then takes about 0.2 s on one idle core, so
    /// the SIGTERM sent when the first epoch's checkpoint appears lands well before the sixth epoch ends, even under a
    /// full parallel test run (with <see cref="TinyData"/> an epoch took 50 ms and the signal once came too late).
    /// </summary>
    public static readonly string[] StoppableData = ["--image-size", "16", "--train-subset", "3000", "--validation-subset", "300", "--test-subset", "300", "--split-seed", "1"];

    /// <summary>
    /// SIGTERM, as the engine stops a trial, sent by the kill(2) system call: spawning kill(1) took long enough under
    /// load for the script to finish its remaining epochs first.
    /// </summary>
    public static void Terminate(Process process)
    {
        if (SendSignal(process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    internal sealed record Run(int ExitCode, IReadOnlyList<IReadOnlyDictionary<string, double>> Reports, string Stderr)
    {
        public IReadOnlyDictionary<string, double> Last => Reports.Count > 0 ? Reports[^1] : throw new InvalidOperationException($"no NASHPO_REPORT line (exit code {ExitCode}); stderr: {Stderr}");
    }
}
