using System.Diagnostics;

namespace NasHpo.Cli.Tests;

/// <summary>The built executable as a real process: exit codes and stderr as a shell sees them.</summary>
public class ProcessTests
{
    [Fact]
    public async Task A_missing_file_exits_with_2_and_one_stderr_line()
    {
        // The Cli project is referenced, so nashpo.dll and its runtime config are copied next to this assembly.
        var dll = Path.Combine(AppContext.BaseDirectory, "nashpo.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var missing = Path.Combine(Path.GetTempPath(), $"nashpo-missing-{Guid.NewGuid():N}.csv");

        // The dotnet CLI that runs the tests names its own host; fall back to the one on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "pareto", missing })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal(string.Empty, await stdout);
        Assert.Equal($"nashpo: {missing}: no such file", (await stderr).TrimEnd('\r', '\n'));
    }
}
