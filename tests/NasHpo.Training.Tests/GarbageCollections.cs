using System.Diagnostics;

namespace NasHpo.Training.Tests;

/// <summary>
/// Code run while another thread collects garbage all the time, as another training worker's allocations do now and
/// then: a Scalar left to the finalizer is then freed while libtorch still reads it ("Expected false to be true, but
/// got false" from Scalar::toFloat, or "Unknown scalar type").
/// </summary>
internal static class GarbageCollections
{
    /// <summary>Runs <paramref name="step"/> again and again for <paramref name="duration"/>; returns how often it ran.</summary>
    public static int Repeat(TimeSpan duration, Action step)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        var steps = 0;
        try
        {
            // The optimized code that drops a Scalar early takes the runtime about a second to compile.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                step();
                steps++;
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }

        return steps;
    }
}
