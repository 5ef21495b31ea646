using System.Diagnostics;

namespace NasHpo.Benchmarks;

/// <summary>Median wall time of repeated runs after warm-up (shared machines are noisy; medians resist that).</summary>
internal static class Measure
{
    // The runtime compiles a method with full optimisation only after about 30 calls (tiered compilation), so the
    // warm-up calls the action that often, within a time cap, to time the steady state rather than the first tier.
    private const int WarmupCalls = 40;
    private static readonly TimeSpan WarmupCap = TimeSpan.FromSeconds(4);

    public static (double MedianMs, double[] RunsMs, T Result) Median<T>(Func<T> action, int runs)
    {
        var warmup = Stopwatch.StartNew();
        var result = action();
        for (var w = 1; w < WarmupCalls && warmup.Elapsed < WarmupCap; w++)
        {
            result = action();
        }

        var times = new double[runs];
        for (var r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            result = action();
            times[r] = watch.Elapsed.TotalMilliseconds;
        }

        var sorted = (double[])times.Clone();
        Array.Sort(sorted);
        var median = runs % 2 == 1 ? sorted[runs / 2] : 0.5 * (sorted[(runs / 2) - 1] + sorted[runs / 2]);
        return (median, times, result);
    }
}
