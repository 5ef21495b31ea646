using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;

namespace NasHpo.Benchmarks;

/// <summary>
/// B1 (exact hypervolume against deap's C implementation of Fonseca et al., timed in the same run) and B2
/// (non-dominated sorting), as defined in the shared BENCHMARKS.md.
/// </summary>
internal static class ParetoBenchmarks
{
    private const double MaxRelativeDifference = 1e-12;
    private const double ReferenceValue = 1.1;

    // Targets are the deap times measured on the project's machine (BENCHMARKS.md).
    private static readonly (int Dimension, int Count, double TargetMs)[] HypervolumeCases =
    [
        (2, 100_000, 50),
        (3, 10_000, 8),
        (4, 1_000, 12),
        (5, 300, 43),
        (5, 1_000, 1_100),
    ];

    private static readonly (int Dimension, int Count, double TargetMs)[] SortingCases =
    [
        (2, 10_000, 50),
        (3, 10_000, 500),
    ];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static int Run(BenchmarkOptions options)
    {
        var fronts = HypervolumeCases
            .Select((c, k) => SpherePoints(new DeterministicRandom((ulong)(1000 + k)), c.Count, c.Dimension))
            .ToArray();

        // The slowest case takes about a second a run for deap: fewer runs keep the suite short.
        var runs = HypervolumeCases.Select(c => c.Dimension >= 5 && c.Count >= 1_000 ? Math.Min(options.Runs, 5) : options.Runs).ToArray();

        var ours = new (double MedianMs, double[] RunsMs, double FirstMs, double Value)[fronts.Length];
        for (var k = 0; k < fronts.Length; k++)
        {
            var front = fronts[k];
            var reference = Enumerable.Repeat(ReferenceValue, HypervolumeCases[k].Dimension).ToArray();
            ours[k] = Measure.Median(() => Hypervolume.Compute(front, reference), runs[k]);
        }

        var (deap, deapError) = RunDeap(options.Python, fronts, runs);

        var hypervolumeResults = new List<HypervolumeResult>();
        var allMet = true;
        for (var k = 0; k < fronts.Length; k++)
        {
            var (dimension, count, target) = HypervolumeCases[k];
            var theirs = deap?[k];
            double? ratio = theirs is null ? null : theirs.Value.MedianMs / ours[k].MedianMs;
            double? difference = theirs is null ? null : Math.Abs(ours[k].Value - theirs.Value.Value) / Math.Abs(theirs.Value.Value);
            var met = ours[k].MedianMs <= target
                && (theirs is null || (ours[k].MedianMs <= theirs.Value.MedianMs && difference <= MaxRelativeDifference));
            allMet &= met;
            hypervolumeResults.Add(new HypervolumeResult(
                $"B1 {dimension}-D n={count}", dimension, count, ours[k].Value, ours[k].MedianMs, ours[k].RunsMs, ours[k].FirstMs,
                theirs?.Value, theirs?.MedianMs, theirs?.RunsMs, ratio, difference, target, met));
        }

        var sortingResults = new List<SortingResult>();
        foreach (var (dimension, count, target) in SortingCases)
        {
            var random = new DeterministicRandom((ulong)(2000 + dimension));
            var points = Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, dimension).Select(_ => random.NextDouble()).ToArray())
                .ToArray();
            var (median, times, firstMs, fronts2) = Measure.Median(() => NonDominatedSorting.Sort(points), options.Runs);
            var met = median <= target;
            allMet &= met;
            sortingResults.Add(new SortingResult($"B2 {dimension} objectives n={count}", dimension, count, fronts2.Length, median, times, firstMs, target, met));
        }

        PrintTable(hypervolumeResults, sortingResults, deapError);

        var report = new
        {
            suite = "pareto",
            timestampUtc = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            runtime = RuntimeInformation.FrameworkDescription,
            os = RuntimeInformation.OSDescription,
            processors = Environment.ProcessorCount,
            deapAvailable = deap is not null,
            deapError,
            hypervolume = hypervolumeResults,
            sorting = sortingResults,
            allTargetsMet = allMet,
        };
        var path = options.OutputPath ?? Path.Combine(Path.GetTempPath(), "nashpo-pareto-benchmarks.json");
        File.WriteAllText(path, JsonSerializer.Serialize(report, JsonOptions));
        Console.WriteLine(Invariant($"JSON written to {path}"));
        return allMet ? 0 : 1;
    }

    private static void PrintTable(List<HypervolumeResult> hypervolume, List<SortingResult> sorting, string? deapError)
    {
        Console.WriteLine("B1 exact hypervolume, unit-sphere octant fronts, reference 1.1");
        Console.WriteLine("  ours: median ms after warm-up (first call, JIT included, in brackets); deap: median ms; speed-up = deap / ours");
        if (deapError is not null)
        {
            Console.WriteLine(Invariant($"  deap unavailable: {deapError}"));
        }

        Console.WriteLine(Invariant($"  {"case",-18} {"ours ms",10} {"(first)",9} {"deap ms",10} {"speed-up",9} {"rel. diff",10} {"target ms",10}  ok"));
        foreach (var r in hypervolume)
        {
            Console.WriteLine(Invariant(
                $"  {r.Id,-18} {r.MedianMs,10:F2} {"(" + r.FirstCallMs.ToString("F1", CultureInfo.InvariantCulture) + ")",9} {Format(r.DeapMedianMs, "F2"),10} {Format(r.SpeedUp, "F2"),9} {Format(r.RelativeDifference, "E1"),10} {r.TargetMs,10:F0}  {(r.Met ? "yes" : "NO")}"));
        }

        Console.WriteLine();
        Console.WriteLine("B2 non-dominated sorting, uniform random points in the unit cube (median ms after warm-up; first call)");
        Console.WriteLine(Invariant($"  {"case",-28} {"fronts",7} {"ours ms",10} {"(first)",9} {"target ms",10}  ok"));
        foreach (var r in sorting)
        {
            Console.WriteLine(Invariant($"  {r.Id,-28} {r.Fronts,7} {r.MedianMs,10:F2} {"(" + r.FirstCallMs.ToString("F1", CultureInfo.InvariantCulture) + ")",9} {r.TargetMs,10:F0}  {(r.Met ? "yes" : "NO")}"));
        }
    }

    private static string Format(double? value, string format) =>
        value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    // Writes the fronts to a temporary file and times deap on exactly those numbers in a separate process.
    private static ((double Value, double MedianMs, double[] RunsMs)[]? Results, string? Error) RunDeap(string python, double[][][] fronts, int[] runs)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "deap_hypervolume.py");
        var input = Path.GetTempFileName();
        try
        {
            var text = new StringBuilder();
            for (var k = 0; k < fronts.Length; k++)
            {
                var dimension = fronts[k][0].Length;
                text.Append(Invariant($"{dimension} {fronts[k].Length} {runs[k]}"));
                for (var j = 0; j < dimension; j++)
                {
                    text.Append(' ').Append(ReferenceValue.ToString("R", CultureInfo.InvariantCulture));
                }

                text.Append('\n');
                foreach (var point in fronts[k])
                {
                    text.AppendJoin(' ', point.Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
                }
            }

            File.WriteAllText(input, text.ToString());
            var start = new ProcessStartInfo(python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(input);
            using var process = Process.Start(start);
            if (process is null)
            {
                return (null, $"could not start {python}");
            }

            var errorText = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                return (null, Invariant($"{python} exited with {process.ExitCode}: {errorText.Result.Trim()}"));
            }

            using var document = JsonDocument.Parse(output);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                return (null, error.GetString());
            }

            var results = document.RootElement.GetProperty("cases").EnumerateArray()
                .Select(c => (
                    c.GetProperty("value").GetDouble(),
                    c.GetProperty("median_ms").GetDouble(),
                    c.GetProperty("runs_ms").EnumerateArray().Select(t => t.GetDouble()).ToArray()))
                .ToArray();
            return (results, null);
        }
        catch (Exception exception) when (exception is Win32Exception or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, $"{python} with deap could not be run: {exception.Message}");
        }
        finally
        {
            File.Delete(input);
        }
    }

    // Uniform on the positive orthant of the unit sphere: |Gaussian| vectors normalised. All mutually non-dominated.
    private static double[][] SpherePoints(DeterministicRandom random, int count, int dimension)
    {
        var points = new double[count][];
        for (var i = 0; i < count; i++)
        {
            var point = new double[dimension];
            var norm = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                point[j] = Math.Abs(random.NextGaussian());
                norm += point[j] * point[j];
            }

            norm = Math.Sqrt(norm);
            for (var j = 0; j < dimension; j++)
            {
                point[j] /= norm;
            }

            points[i] = point;
        }

        return points;
    }

    private sealed record HypervolumeResult(
        string Id,
        int Dimension,
        int Count,
        double Value,
        double MedianMs,
        double[] RunsMs,
        double FirstCallMs,
        double? DeapValue,
        double? DeapMedianMs,
        double[]? DeapRunsMs,
        double? SpeedUp,
        double? RelativeDifference,
        double TargetMs,
        bool Met);

    private sealed record SortingResult(
        string Id,
        int Dimension,
        int Count,
        int Fronts,
        double MedianMs,
        double[] RunsMs,
        double FirstCallMs,
        double TargetMs,
        bool Met);
}
