using System.Diagnostics;

namespace NasHpo.Benchmarks;

/// <summary>Median wall time of repeated runs after warm-up (shared machines are noisy; medians resist that).</summary>
internal static class Measure
{
    // The runtime recompiles a method with full optimisation only after about 30 calls (tiered compilation, also for
    // the precompiled framework code such as Array.Sort), in the background and after a delay, so the warm-up keeps
    // calling for a while to time the steady state rather than the first tier.
    private const int MinimumWarmupCalls = 40;
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WarmupCap = TimeSpan.FromSeconds(5);

    /// <summary>FirstMs is the first call alone, compilation included: what a cold process pays once.</summary>
    public static (double MedianMs, double[] RunsMs, double FirstMs, T Result) Median<T>(Func<T> action, int runs)
    {
        var warmup = Stopwatch.StartNew();
        var result = action();
        var firstMs = warmup.Elapsed.TotalMilliseconds;
        for (var calls = 1; (calls < MinimumWarmupCalls || warmup.Elapsed < MinimumWarmup) && warmup.Elapsed < WarmupCap; calls++)
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
        return (median, times, firstMs, result);
    }
}
