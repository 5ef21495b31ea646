using System.Diagnostics;
using System.Globalization;
using NasHpo.Core.Workloads.Command;

namespace NasHpo.Actors.Workloads.Command;

/// <summary>How a trial's program ended.</summary>
/// <param name="ExitCode">the program's exit status (128 + N when signal N ended it)</param>
/// <param name="Reports">its report lines' values, in order</param>
/// <param name="MalformedReport">the first report line that could not be read, if any</param>
/// <param name="StderrTail">its last lines on stderr, for the reason of a failure</param>
internal sealed record TrialProcessOutcome(int ExitCode, IReadOnlyList<IReadOnlyDictionary<string, double>> Reports, string? MalformedReport, IReadOnlyList<string> StderrTail, bool TimedOut, bool Stopped);

/// <summary>What a program is started with.</summary>
internal sealed record TrialProcessStart(IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment, string LogFile, TimeSpan? Timeout, TimeSpan GracePeriod);

/// <summary>
/// Runs a trial's program in a process group of its own under a small POSIX sh guard, and reads its reports.
/// The guard holds a pipe from the engine on its stdin: when the engine closes it (the trial is stopped or timed
/// out) or dies (even by SIGKILL, which the engine cannot catch), a watchdog sends SIGTERM to the program's whole
/// group, then SIGKILL after the grace period; when the program ends, whatever it left in its group is killed too.
/// So no training process outlives its trial or its engine. Report lines go to the caller; every other line of
/// stdout and stderr goes to the trial's log file.
/// </summary>
internal static class TrialProcess
{
    private const int StderrLines = 20;

    // $0 = nashpo-trial, $1 = grace seconds, then the program and its arguments. setsid gives the program and the
    // watchdog sessions (and so process groups) of their own; a non-interactive sh has no job control to do it.
    // Without job control an asynchronous command's stdin is /dev/null, so the watchdog gets the engine's pipe
    // through fd 3.
    private const string Guard = """
        grace=$1; shift
        exec 3<&0
        setsid "$@" </dev/null 3<&- &
        child=$!
        setsid sh -c 'while read -r _; do :; done; kill -s TERM -- -"$1" 2>/dev/null; sleep "$2"; kill -s KILL -- -"$1" 2>/dev/null' nashpo-watchdog "$child" "$grace" <&3 3<&- >/dev/null 2>&1 &
        watchdog=$!
        exec 3<&-
        trap '' INT
        wait "$child"
        status=$?
        kill -s KILL -- -"$child" 2>/dev/null
        kill -s KILL -- -"$watchdog" 2>/dev/null
        exit $status
        """;

    public static TrialProcessOutcome Run(TrialProcessStart start, Action<IReadOnlyDictionary<string, double>, int> onReport, CancellationToken cancellation)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Guard);
        info.ArgumentList.Add("nashpo-trial");
        info.ArgumentList.Add(Math.Max(1, (int)Math.Ceiling(start.GracePeriod.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        foreach (var argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in start.Environment)
        {
            info.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(start.LogFile)!);
        using var log = new StreamWriter(new FileStream(start.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        log.WriteLine($"# {DateTimeOffset.UtcNow:O} {string.Join(' ', start.Arguments.Select(Quote))}");
        var stderr = new Queue<string>();
        using var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.WriteLine(e.Data);
                stderr.Enqueue(e.Data);
                if (stderr.Count > StderrLines)
                {
                    stderr.Dequeue();
                }
            }
        };

        process.Start();
        process.BeginErrorReadLine();

        // Last resort, should the guard itself not end: its whole tree, some seconds after the grace period.
        using var lastResort = new Timer(
            _ =>
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        var stopped = 0;
        var timedOut = false;
        void Stop()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0)
            {
                return;
            }

            // EOF on the guard's stdin starts SIGTERM, grace, SIGKILL of the program's group.
            try
            {
                process.StandardInput.Close();
                lastResort.Change(start.GracePeriod + TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }

        using var onCancel = cancellation.Register(Stop);
        using var timeout = start.Timeout is { } limit ? new Timer(_ => { timedOut = true; Stop(); }, null, limit, Timeout.InfiniteTimeSpan) : null;

        var reports = new List<IReadOnlyDictionary<string, double>>();
        string? malformed = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            IReadOnlyDictionary<string, double>? values;
            try
            {
                values = CommandReport.Parse(line);
            }
            catch (FormatException error)
            {
                malformed ??= error.Message;
                values = null;
            }

            if (values is null)
            {
                lock (log)
                {
                    log.WriteLine(line);
                }

                continue;
            }

            reports.Add(values);
            onReport(values, reports.Count);
        }

        process.WaitForExit();
        Stop();
        string[] tail;
        lock (log)
        {
            tail = [.. stderr];
        }

        return new TrialProcessOutcome(process.ExitCode, reports, malformed, tail, timedOut, cancellation.IsCancellationRequested);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=+,@%".Contains(c, StringComparison.Ordinal)) ? argument : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
