using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>Process-wide TorchSharp settings the engine makes before it trains anything.</summary>
internal static class TrainingRuntime
{
    /// <summary>Whether this build of TorchSharp and this machine can run on CUDA devices.</summary>
    public static bool CudaAvailable => cuda.is_available();

    /// <summary>
    /// libtorch's intra-op thread pool is process-wide: with several devices training at once on a CPU, each gets
    /// an equal share of the cores instead of every device fighting over all of them.
    /// </summary>
    /// <param name="cpuDevices">CPU devices that train at the same time.</param>
    /// <param name="threadsPerDevice">Threads each may use; 0 shares the cores equally.</param>
    public static void ShareCpuThreads(int cpuDevices, int threadsPerDevice = 0)
    {
        var threads = threadsPerDevice > 0 ? threadsPerDevice : Math.Max(1, Environment.ProcessorCount / Math.Max(1, cpuDevices));
        set_num_threads(threads);
    }
}
