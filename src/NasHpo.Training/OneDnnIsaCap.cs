using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NasHpo.Training;

/// <summary>
/// Caps the instruction set of oneDNN (libtorch's convolution library) at SSE4.1 before libtorch is loaded, unless
/// the environment already sets <c>DNNL_MAX_CPU_ISA</c>.
/// </summary>
/// <remarks>
/// Why: on the build machine (AMD EPYC with AVX-512 under a hypervisor) libtorch 2.10's oneDNN kernels for AVX-512
/// and for AVX2 return non-finite values now and then: forward passes and gradients of small convolution networks
/// became NaN at random (6 to 7 of the 13 morphism and residual-training tests failed at every run; tabular runs and
/// studies diverged at learning rates as low as 3e-4). With the cap at SSE4.1 every run of those tests passed; with
/// AVX2 one still failed. libtorch's own kernels (ATen) keep their widest instruction set: capping them changed
/// nothing. oneDNN reads the variable once, when it first runs, and reads the process environment of the C library,
/// which .NET's Environment.SetEnvironmentVariable does not change on Linux, hence setenv. A module initializer runs
/// before any type of this assembly, so before anything here touches libtorch.
/// Set DNNL_MAX_CPU_ISA yourself (for example to ALL) to lift the cap on a machine where the wider kernels are right.
/// </remarks>
internal static partial class OneDnnIsaCap
{
    internal const string Variable = "DNNL_MAX_CPU_ISA";

    internal const string Cap = "SSE41";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "The cap must be in the C environment before libtorch loads, whichever type of this assembly is used first.")]
    internal static void Apply()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            // overwrite = 0: a value the C environment already has wins.
            _ = SetEnvironment(Variable, Cap, 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
