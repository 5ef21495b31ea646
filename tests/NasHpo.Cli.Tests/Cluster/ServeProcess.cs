using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NasHpo.Cli.Tests.Cluster;

/// <summary>
/// One `nashpo serve` node as a real process: its output kept line by line so a test can wait for what it logs,
/// and the signals a real cluster sees (SIGKILL, SIGTERM, SIGSTOP/SIGCONT). Every wait has a limit and fails with
/// the node's last lines.
/// </summary>
internal sealed class ServeProcess : IDisposable
{

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    private ServeProcess(string name, Process process, int port)
    {
        Name = name;
        Port = port;
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";


    public bool HasExited => _process.HasExited;

    /// <summary>A port free at the time of asking, on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static ServeProcess Start(string name, string workingDirectory, int port, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nashpo.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        return new ServeProcess(name, Process.Start(start)!, port);
    }

    /// <summary>Waits until the node prints a line that matches; fails with the node's last lines otherwise.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        var seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (match(_lines[seen]))
                    {
                        return _lines[seen];
                    }
                }
            }

            if (_process.HasExited && _reading.IsCompleted)
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before {what}; last lines:\n{Tail()}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{Name}: no {what} within {limit}; last lines:\n{Tail()}");
    }

    public Task<string> WaitForLineAsync(string contains, TimeSpan limit) =>
        WaitForLineAsync(line => line.Contains(contains, StringComparison.Ordinal), limit, $"line with \"{contains}\"");

    /// <summary>SIGKILL: no shutdown, no leaving, exactly what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: what a service manager sends to stop a node; it leaves the cluster gracefully.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGSTOP: the process freezes (as a hung machine or a partitioned network looks to the others).</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {limit}; last lines:\n{Tail()}");
        }

        return _process.ExitCode;
    }

    public string Tail(int count = 40)
    {
        lock (_lines)
        {
            return string.Join("\n", _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal("CONT");
        }

        Kill();
        _process.Dispose();
    }

    /// <summary>Sends a signal with the system's kill command (the runtime only offers SIGKILL).</summary>
    private void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"cannot send SIG{signal} to {Name} (kill exited {kill.ExitCode})");
        }
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
