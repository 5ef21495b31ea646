using Akka.Configuration;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads.Command;
using static NasHpo.Configuration.HoconReading;

namespace NasHpo.Configuration;

/// <summary>
/// A study whose trials run a program of the user's (<c>study.problem.type = command</c>): its command line with
/// placeholders, the directory it runs in (absolute once the study file has been read), extra environment variables,
/// a time limit per trial, an optional command that prints the cheap objectives, and how long a stopped program may
/// take to end after SIGTERM before it is killed.
/// </summary>
internal sealed record CommandDefinition(
    IReadOnlyList<string> Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan? TrialTimeout,
    IReadOnlyList<string>? CheapCommand,
    TimeSpan GracePeriod)
{
    public static TimeSpan DefaultGracePeriod { get; } = TimeSpan.FromSeconds(10);
}

/// <summary>Reads and checks <c>study.problem</c> of a command study; every mistake is one line naming its HOCON path.</summary>
internal static class CommandProblemReader
{
    public const string Type = "command";

    private static readonly string[] Keys = ["type", "command", "working-dir", "environment", "trial-timeout", "cheap-command", "grace-period"];

    /// <summary>
    /// The problem's keys; a relative working directory is resolved by <paramref name="paths"/> (against the study
    /// file's folder; the current directory for text without a file).
    /// </summary>
    public static CommandDefinition Read(Config problem, StudyPaths paths)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(paths);
        StudyDefinitionReader.RejectUnknownKeys(problem, "study.problem", Keys);
        var command = ReadCommand(problem, "command", "study.problem.command")
            ?? throw new ConfigurationException("study.problem.command", "missing (for example: command = [\"python3\", \"train.py\", \"--lr\", \"${learning_rate}\", \"--epochs\", \"${budget}\"])");
        var cheap = ReadCommand(problem, "cheap-command", "study.problem.cheap-command");
        var directory = problem.HasPath("working-dir") ? Text(problem.GetValue("working-dir"), "study.problem.working-dir") : ".";
        var workingDirectory = paths.Resolve(directory);

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (problem.HasPath("environment"))
        {
            foreach (var (name, value) in Object(problem.GetValue("environment"), "study.problem.environment"))
            {
                var path = $"study.problem.environment.{name}";
                if (name.StartsWith("NASHPO_", StringComparison.Ordinal))
                {
                    throw new ConfigurationException(path, "NASHPO_ variables are set by the engine for every trial");
                }

                environment[name] = IsBlank(value) ? string.Empty : Text(value, path);
            }
        }

        TimeSpan? timeout = problem.HasPath("trial-timeout") ? Positive(problem, "trial-timeout") : null;
        var grace = problem.HasPath("grace-period") ? Positive(problem, "grace-period") : CommandDefinition.DefaultGracePeriod;
        return new CommandDefinition(command, workingDirectory, environment, timeout, cheap, grace);
    }

    /// <summary>Refuses a placeholder that names neither a parameter of the space nor one of the fixed names.</summary>
    public static void CheckPlaceholders(CommandDefinition command, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(command);
        Check(command.Command, "study.problem.command");
        if (command.CheapCommand is { } cheap)
        {
            Check(cheap, "study.problem.cheap-command");
        }

        void Check(IReadOnlyList<string> arguments, string path)
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                if (CommandTemplate.FirstUnknown(arguments[i], space) is { } unknown)
                {
                    throw new ConfigurationException(
                        $"{path}[{i}]",
                        $"unknown placeholder ${{{unknown}}} (expected a parameter of the search space or one of: {string.Join(", ", CommandTemplate.FixedNames.Select(n => $"${{{n}}}"))})");
                }
            }
        }
    }

    /// <summary>
    /// Refuses a study whose working directory is missing or whose program cannot be found (on PATH, or relative to
    /// the working directory when it names a path), before anything is persisted. Only where a study is created:
    /// a trainer of a cluster runs the command in a directory of its own.
    /// </summary>
    public static void CheckPrograms(CommandDefinition command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!Directory.Exists(command.WorkingDirectory))
        {
            throw new ConfigurationException("study.problem.working-dir", $"{command.WorkingDirectory} is not a directory");
        }

        CheckProgram(command.Command, command.WorkingDirectory, "study.problem.command[0]");
        if (command.CheapCommand is { } cheap)
        {
            CheckProgram(cheap, command.WorkingDirectory, "study.problem.cheap-command[0]");
        }
    }

    /// <summary>The program's file: a path (relative to the working directory) when it has a '/', else the first match on PATH.</summary>
    public static string? FindProgram(string program, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(program, workingDirectory);
            return IsExecutable(path) ? path : null;
        }

        var search = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return search.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(Path.GetFullPath(directory, workingDirectory), program))
            .FirstOrDefault(IsExecutable);
    }

    private static void CheckProgram(IReadOnlyList<string> arguments, string workingDirectory, string path)
    {
        var program = arguments[0];
        if (CommandTemplate.NamesIn(program).Any())
        {
            return; // Known only per trial.
        }

        if (FindProgram(program, workingDirectory) is null)
        {
            throw new ConfigurationException(path, program.Contains('/', StringComparison.Ordinal)
                ? $"program \"{program}\" is not an executable file (relative to {workingDirectory})"
                : $"program \"{program}\" is not found on PATH");
        }
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private static string[]? ReadCommand(Config problem, string key, string path)
    {
        if (!problem.HasPath(key))
        {
            return null;
        }

        var items = List(problem.GetValue(key), path);
        if (items.Count == 0)
        {
            throw new ConfigurationException(path, "is empty (name the program and its arguments)");
        }

        var arguments = items.Select((item, i) => Text(item, $"{path}[{i}]")).ToArray();
        return string.IsNullOrWhiteSpace(arguments[0]) ? throw new ConfigurationException($"{path}[0]", "the program's name is empty") : arguments;
    }

    private static TimeSpan Positive(Config problem, string key)
    {
        var path = $"study.problem.{key}";
        var value = StudyDefinitionReader.ReadDuration(problem, key, path, TimeSpan.Zero);
        return value > TimeSpan.Zero ? value : throw new ConfigurationException(path, $"\"{problem.GetString(key)}\" must be a positive duration (for example 30m)");
    }
}
