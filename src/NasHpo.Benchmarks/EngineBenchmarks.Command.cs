using System.Diagnostics;
using System.Globalization;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Workloads.Command;
using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>
/// B10: what a command trial costs the engine. Trials of a program that reports its objectives at once and exits
/// (echo), on 4 CPU slots with the SQLite journal: trials per second, and device time per trial (4 × wall / trials),
/// which holds everything the engine does for a trial with the process start: request file, environment, the guard
/// shell and its watchdog, reading the report, the journal writes. A Python program's own start-up is shown as a
/// reference, and the guard's share of a process start is measured alone.
/// </summary>
internal static partial class EngineBenchmarks
{
    private const int CommandTrialCount = 1000;

    private static IEnumerable<Row> CommandTrials(string scratch, int runs)
    {
        var workingDirectory = Directory.CreateDirectory(Path.Combine(scratch, "b10-code")).FullName;
        var cases = new (string Label, string Command, double? Target)[]
        {
            ("echo (reports and exits)", "[\"echo\", \"NASHPO_REPORT {\\\"loss\\\": ${x}, \\\"size\\\": ${y}}\"]", 50),
            ("python3 -c (reports and exits)", "[\"python3\", \"-c\", \"print('NASHPO_REPORT {\\\"loss\\\": ${x}, \\\"size\\\": ${y}}')\"]", null),
        };
        foreach (var (label, command, target) in cases)
        {
            var trials = target is null ? CommandTrialCount / 5 : CommandTrialCount;
            var costs = new List<(double PerSecond, double MsPerTrial)>();
            for (var run = 0; run < Math.Max(1, Math.Min(runs, 3)); run++)
            {
                var definition = Study(
                    $"seed = {run}, devices = 4",
                    $"problem {{ type = command, command = {command}, working-dir = \"{workingDirectory}\" }}",
                    "objectives = [{ name = loss }, { name = size }]",
                    "reference-point = [2, 2]",
                    "search-space { x { type = float, lower = 0, upper = 1 }, y { type = float, lower = 0, upper = 1 } }",
                    "optimizer { type = random, max-budget = 1 }",
                    $"stop {{ max-evaluations = {trials} }}");
                var elapsed = RunStudy(Path.Combine(scratch, $"b10-{costs.Count}-{label.Split(' ')[0]}-{run}.db"), "b10", definition, 4);
                costs.Add((trials / elapsed.TotalSeconds, 4 * elapsed.TotalMilliseconds / trials));
            }

            costs.Sort();
            var median = costs[costs.Count / 2];
            yield return new Row("B10", Invariant($"{trials} command trials, {label}, 4 CPU slots"), median.MsPerTrial, "ms/trial", target, false,
                Invariant($"{median.PerSecond:F0} trials/s; runs (trials/s): {string.Join(" ", costs.Select(c => c.PerSecond.ToString("F0", CultureInfo.InvariantCulture)))}"));
        }

        yield return GuardCost(scratch);
    }

    /// <summary>The guard (sh, setsid, watchdog) against starting the same program bare: median of sequential starts.</summary>
    private static Row GuardCost(string scratch)
    {
        const int starts = 200;
        var log = Path.Combine(scratch, "b10-guard.log");
        var guarded = new List<double>();
        var bare = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            var watch = Stopwatch.StartNew();
            TrialProcess.Run(
                new TrialProcessStart(["echo", "NASHPO_REPORT {\"loss\": 1}"], scratch, new Dictionary<string, string>(), log, null, TimeSpan.FromSeconds(1)),
                (_, _) => { },
                CancellationToken.None);
            guarded.Add(watch.Elapsed.TotalMilliseconds);

            watch.Restart();
            using (var process = Process.Start(new ProcessStartInfo("echo", "NASHPO_REPORT {}") { RedirectStandardOutput = true, UseShellExecute = false })!)
            {
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
            }

            bare.Add(watch.Elapsed.TotalMilliseconds);
        }

        guarded.Sort();
        bare.Sort();
        return new Row("B10", Invariant($"process guard: echo started {starts} times, guarded minus bare"), guarded[starts / 2] - bare[starts / 2], "ms", null, false,
            Invariant($"median guarded {guarded[starts / 2]:F1} ms (with the log file), bare {bare[starts / 2]:F1} ms"));
    }
}
