using System.Text;

namespace NasHpo.Cli.Tests.Command;

/// <summary>
/// The dependency-free example program (src/examples/command/quadratic.py) and the processes a command study
/// starts, found by their environment: every trial process (guard, program, watchdog) carries
/// NASHPO_CHECKPOINT_DIR under the test's own directory.
/// </summary>
internal static class CommandExample
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Directory => Path.Combine(RepositoryRoot, "src", "examples", "command");

    /// <summary>
    /// A study of quadratic.py, run in the example's folder unless <paramref name="workingDirectory"/> names another;
    /// <paramref name="problemExtra"/> adds keys to <c>problem</c>, <paramref name="rest"/> to <c>study</c>.
    /// </summary>
    public static string Study(string problemExtra, string rest, string? workingDirectory = null) => $$"""
        study {
          seed = 3
          problem {
            type = command
            command = ["python3", "quadratic.py", "--x", "${x}", "--y", "${y}", "--shift", "${shift}", "--epochs", "${budget}"]
            working-dir = "{{workingDirectory ?? Directory}}"
            grace-period = 2s
            {{problemExtra}}
          }
          objectives = [{ name = loss }, { name = size, cost = cheap }]
          reference-point = [20, 20]
          search-space {
            x { type = float, lower = -1, upper = 3 }
            y { type = float, lower = -1, upper = 2 }
            shifted { type = bool }
            shift { type = float, lower = 0, upper = 1, when = "shifted == true" }
          }
          {{rest}}
        }
        """;

    /// <summary>Process ids and command lines of the trial processes still running for studies under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> ProcessesUnder(string directory)
    {
        var marker = Encoding.UTF8.GetBytes("NASHPO_CHECKPOINT_DIR=" + directory);
        var found = new List<string>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(entry);
            if (!int.TryParse(name, out _))
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllBytes(Path.Combine(entry, "environ"));
                if (environment.AsSpan().IndexOf(marker) >= 0)
                {
                    var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ').Trim();
                    var state = File.ReadAllText(Path.Combine(entry, "stat")).Split(' ')[2];
                    if (state != "Z")
                    {
                        found.Add($"{name}: {commandLine}");
                    }
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone while we looked, or not ours.
            }
        }

        return found;
    }

    /// <summary>Waits (bounded) until no trial process of the directory is left, then asserts it.</summary>
    public static async Task AssertNoProcessLeftAsync(string directory, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var left = ProcessesUnder(directory);
        while (left.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            left = ProcessesUnder(directory);
        }

        Assert.True(left.Count == 0, $"trial processes left after {within}:\n{string.Join("\n", left)}");
    }

    /// <summary>Waits (bounded) until the file exists, for example a trial's state after its first epoch.</summary>
    public static async Task WaitForFileAsync(string path, TimeSpan within, Func<bool> givingUp)
    {
        var deadline = DateTime.UtcNow + within;
        while (!File.Exists(path) && DateTime.UtcNow < deadline && !givingUp())
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), $"{path} did not appear within {within}");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NasHpo.Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no NasHpo.Actors.sln above {AppContext.BaseDirectory}");
    }
}
