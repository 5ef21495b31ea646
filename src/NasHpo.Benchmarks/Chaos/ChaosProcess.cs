using System.Diagnostics;
using System.Globalization;

namespace NasHpo.Benchmarks.Chaos;

/// <summary>
/// The built `nashpo` as a real process, for chaos runs: started with its output read line by line, so that a kill
/// can be timed from what it says (started, resuming, finished), then killed with SIGKILL, frozen with SIGSTOP or
/// left to finish. Shared by the benchmarks' chaos command and its CI test (compiled into both).
/// </summary>
internal sealed class ChaosProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finishing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];

    private ChaosProcess(Process process)
    {
        _process = process;
        _stdout = ReadLinesAsync(process.StandardOutput);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Completes when the study runs (the "started in", "resuming" or "opened" line), or when the process exits.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the study says it finished (the engine is shutting down), or when the process exits.</summary>
    public Task Finishing => _finishing.Task;

    /// <summary>Whether the "started in" or "resuming" line was printed: the study exists in the journal.</summary>
    public bool StudyRan { get; private set; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="nashpo"/> (the path of nashpo.dll) with <paramref name="args"/> in a folder.</summary>
    public static ChaosProcess Start(string nashpo, string workingDirectory, IEnumerable<string> args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(nashpo);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        return new ChaosProcess(Process.Start(start)!);
    }

    /// <summary>Runs a command to its end: exit code and output. A command past <paramref name="limit"/> is killed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string nashpo, string workingDirectory, TimeSpan limit, IEnumerable<string> args)
    {
        using var process = Start(nashpo, workingDirectory, args);
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
            throw new TimeoutException($"nashpo {string.Join(' ', _process.StartInfo.ArgumentList.Skip(1))} did not end within {limit}; its output: {await _stdout}{await _stderr}");
        }

        return (_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>
    /// SIGKILL of nashpo and every process under it (a command trial's program): what a crash does; without
    /// <paramref name="entireProcessTree"/>, of nashpo alone, its children left to fend for themselves.
    /// </summary>
    public void Kill(bool entireProcessTree = true)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree);
            _process.WaitForExit();
        }
    }

    /// <summary>Sends a signal by name ("STOP", "CONT") with kill(1): .NET's Process has no API for them.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private async Task<string> ReadLinesAsync(StreamReader reader)
    {
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            text.AppendLine(line);
            lock (_lines)
            {
                _lines.Add(line);
            }

            // "opened": the ask-and-tell consumer the tests run has its study.
            if (line.StartsWith("resuming ", StringComparison.Ordinal) || line.Contains(" started in ", StringComparison.Ordinal) || line == "opened")
            {
                StudyRan = true;
                _started.TrySetResult();
            }
            else if (line.StartsWith("study ", StringComparison.Ordinal) && line.Contains(" finished (", StringComparison.Ordinal))
            {
                _finishing.TrySetResult();
            }
        }

        _started.TrySetResult();
        _finishing.TrySetResult();
        return text.ToString();
    }

    /// <summary>Lines of standard output printed so far (a `serve` node's log: Akka's log lines go there).</summary>
    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>
    /// Waits until a line from index <paramref name="from"/> on contains <paramref name="text"/>; false when the
    /// process exits or <paramref name="limit"/> passes first.
    /// </summary>
    public async Task<bool> WaitForLineAsync(string text, TimeSpan limit, int from = 0)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            lock (_lines)
            {
                for (; from < _lines.Count; from++)
                {
                    if (_lines[from].Contains(text, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }

            if ((_process.HasExited && _stdout.IsCompleted && _stderr.IsCompleted) || DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The last <paramref name="count"/> lines of standard output, for a failure's message.</summary>
    public string Tail(int count = 20)
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
