using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Studies;

namespace NasHpo.Cli.Engine;

/// <summary>
/// Where an engine process's Akka log goes: a file per process (<c>nashpo.log.directory</c>, by default
/// "{database}.logs" next to a SQLite journal, else "nashpo-logs" in the working directory), at the level of
/// <c>--log-level</c> or <c>nashpo.log.level</c>. The console gets at most one warning line per burst of errors and
/// warnings, naming the file that holds the details; the path is printed once per process.
/// </summary>
internal sealed class EngineLog
{
    private static readonly TimeSpan QuietAfterWarning = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> PathsByDirectory = new(StringComparer.Ordinal);
    private static readonly HashSet<string> Announced = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    private EngineLog(string path, string level)
    {
        Path = path;
        Level = level;
    }

    public string Path { get; }

    /// <summary>Akka's name of the level: OFF, ERROR, WARNING, INFO or DEBUG.</summary>
    public string Level { get; }

    /// <summary>The values of <c>--log-level</c>.</summary>
    public static readonly string[] Levels = ["off", "error", "warning", "info", "debug"];

    public static EngineLog For(JournalSettings journal, string? level)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var config = EngineHost.BaseConfig(journal);
        var chosen = (level ?? config.GetString("nashpo.log.level")).Trim().ToUpperInvariant();
        if (!Levels.Contains(chosen.ToLowerInvariant(), StringComparer.Ordinal))
        {
            throw new UserErrorException($"{(level is null ? "nashpo.log.level" : "--log-level")}: \"{chosen.ToLowerInvariant()}\" is not a level (off, error, warning, info or debug)");
        }

        var configured = config.GetString("nashpo.log.directory");
        var directory = configured.Length > 0 ? configured
            : journal.SqliteFile is { } file ? System.IO.Path.GetFullPath(file) + ".logs"
            : System.IO.Path.GetFullPath("nashpo-logs");
        lock (Gate)
        {
            if (!PathsByDirectory.TryGetValue(directory, out var path))
            {
                path = System.IO.Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"nashpo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log"));
                PathsByDirectory[directory] = path;
            }

            return new EngineLog(path, chosen);
        }
    }

    /// <summary>Akka's loggers replaced by the file (nothing of Akka's on the console, not even at start or stop).</summary>
    public Config ToConfig() => ConfigurationFactory.ParseString(
        "akka.loggers = [\"NasHpo.Actors.Hosting.FileLogger, NasHpo.Actors\"]\n" +
        $"akka.loglevel = {Level}\n" +
        "akka.stdout-loglevel = OFF\n" +
        $"nashpo.log.file = \"{Path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n");

    /// <summary>"; engine log: PATH" the first time this process names the file, else nothing.</summary>
    public string Announce()
    {
        lock (Gate)
        {
            return Announced.Add(Path) ? $"; engine log: {Path}" : string.Empty;
        }
    }

    /// <summary>Errors and warnings of the engine become one console line per burst (the file has them all).</summary>
    public void WarnOnConsole(ActorSystem system, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(system);
        var warner = system.ActorOf(Props.Create(() => new ConsoleWarner(console.Error, Path)), "console-warnings");
        system.EventStream.Subscribe(warner, typeof(Error));
        system.EventStream.Subscribe(warner, typeof(Warning));
    }

    private sealed class ConsoleWarner : ReceiveActor
    {
        private DateTime _quietUntil = DateTime.MinValue;

        public ConsoleWarner(TextWriter error, string path)
        {
            Receive<LogEvent>(log =>
            {
                // A study the engine stopped ends the command with its own line, which says the same.
                if (log.LogClass == typeof(StudyManager))
                {
                    return;
                }

                var now = DateTime.UtcNow;
                if (now < _quietUntil)
                {
                    return;
                }

                _quietUntil = now + QuietAfterWarning;
                var message = (log.Message?.ToString() ?? string.Empty).ReplaceLineEndings(" ").Trim();
                var cause = log is Error { Cause: { } exception } ? $" ({exception.GetBaseException().Message.ReplaceLineEndings(" ").Trim()})" : string.Empty;
                var text = message + cause;
                if (text.Length > 200)
                {
                    text = text[..200] + "...";
                }

                error.WriteLine($"warning: {text} (details in {path})");
            });
        }
    }
}
