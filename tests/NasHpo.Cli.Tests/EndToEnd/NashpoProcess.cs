using System.Diagnostics;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// The built `nashpo` (or another program built next to the tests, such as the ask-and-tell consumer) as a real
/// process, in a working directory of the test's own.
/// </summary>
internal sealed class NashpoProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly TaskCompletionSource _studyStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NashpoProcess(Process process)
    {
        _process = process;
        _stdout = ReadLinesAsync(process.StandardOutput);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>
    /// Completes when the process says its study is running (created or resumed; "opened" from the ask-and-tell
    /// consumer), or when it exits.
    /// </summary>
    public Task StudyStarted => _studyStarted.Task;

    // The Cli project is referenced, so nashpo.dll and its runtime config sit next to this assembly.
    public static NashpoProcess Start(string workingDirectory, params string[] args) => StartProgram("nashpo.dll", workingDirectory, args);

    /// <summary>Starts a .NET program: a dll next to this assembly, or at a full path.</summary>
    public static NashpoProcess StartProgram(string dllPath, string workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, dllPath);
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        return new NashpoProcess(Process.Start(start)!);
    }

    /// <summary>Runs to the end and returns exit code and output; fails the test if it takes longer than the limit.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, TimeSpan limit, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        return await process.WaitAsync(limit);
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"nashpo did not finish within {limit}; stdout so far: {await _stdout}");
        }

        return (_process.ExitCode, await _stdout, await _stderr);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's process id (for signals other than SIGKILL: SIGSTOP, SIGCONT).</summary>
    public int Id => _process.Id;

    /// <summary>Sends a signal by name ("STOP", "CONT") with kill(1): .NET's Process has no API for them.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private async Task<string> ReadLinesAsync(StreamReader reader)
    {
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            text.AppendLine(line);
            if (line.StartsWith("study ", StringComparison.Ordinal) && line.Contains(" started in ", StringComparison.Ordinal)
                || line.StartsWith("resuming study ", StringComparison.Ordinal)
                || line == "opened")
            {
                _studyStarted.TrySetResult();
            }
        }

        _studyStarted.TrySetResult();
        return text.ToString();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGKILL of nashpo alone: its children are left to fend for themselves, as after an OOM kill.</summary>
    public void KillEngineOnly()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }
    }

    /// <summary>
    /// SIGINT, as Ctrl+C in a terminal sends it (to nashpo only: a terminal would signal its whole group). Where the
    /// tests themselves were started with SIGINT ignored (a background job of a non-interactive shell), nashpo
    /// inherited that and cannot see it, so SIGTERM is sent instead: nashpo treats both alike.
    /// </summary>
    public void Interrupt()
    {
        var signal = SigIntIgnored() ? "TERM" : "INT";
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 2) != 0;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
