using NasHpo.Benchmarks.Chaos;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// The built `nashpo` (or another program built next to the tests, such as the ask-and-tell consumer) as a real
/// process, in a working directory of the test's own: the benchmarks' chaos process (compiled into this assembly)
/// with what only tests do besides, SIGINT and killing nashpo without its children.
/// </summary>
internal sealed class NashpoProcess : IDisposable
{
    private readonly ChaosProcess _process;

    private NashpoProcess(ChaosProcess process) => _process = process;

    // The Cli project is referenced, so nashpo.dll and its runtime config sit next to this assembly.
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "nashpo.dll");

    /// <summary>Completes when the process says its study is running (created or resumed), or when it exits.</summary>
    public Task StudyStarted => _process.Started;

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's process id (for signals other than SIGKILL: SIGSTOP, SIGCONT).</summary>
    public int Id => _process.Id;

    public static NashpoProcess Start(string workingDirectory, params string[] args) => new(ChaosProcess.Start(Dll, workingDirectory, args));

    /// <summary>Starts a .NET program: a dll next to this assembly, or at a full path.</summary>
    public static NashpoProcess StartProgram(string dllPath, string workingDirectory, params string[] args) =>
        new(ChaosProcess.Start(Path.Combine(AppContext.BaseDirectory, dllPath), workingDirectory, args));

    /// <summary>Runs to the end and returns exit code and output; fails the test if it takes longer than the limit.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, TimeSpan limit, params string[] args) =>
        ChaosProcess.RunAsync(Dll, workingDirectory, limit, args);

    public Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync(TimeSpan limit) => _process.WaitAsync(limit);

    /// <summary>Sends a signal by name ("STOP", "CONT") with kill(1): .NET's Process has no API for them.</summary>
    public void Signal(string name) => _process.Signal(name);

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly what a crash or an OOM kill does.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGKILL of nashpo alone: its children are left to fend for themselves, as after an OOM kill.</summary>
    public void KillEngineOnly() => _process.Kill(entireProcessTree: false);

    /// <summary>
    /// SIGINT, as Ctrl+C in a terminal sends it (to nashpo only: a terminal would signal its whole group). Where the
    /// tests themselves were started with SIGINT ignored (a background job of a non-interactive shell), nashpo
    /// inherited that and cannot see it, so SIGTERM is sent instead: nashpo treats both alike.
    /// </summary>
    public void Interrupt() => Signal(SigIntIgnored() ? "TERM" : "INT");

    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 2) != 0;
    }

    public void Dispose() => _process.Dispose();
}
