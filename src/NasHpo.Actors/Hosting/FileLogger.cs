using Akka.Actor;
using Akka.Event;

namespace NasHpo.Actors.Hosting;

/// <summary>
/// Akka's log, into the file that <c>nashpo.log.file</c> names (appended to, shared by the engines one process runs
/// one after another), instead of the console: stack traces and recovery details belong there, where the console
/// keeps progress and one-line warnings. Installed with <c>akka.loggers = ["NasHpo.Actors.Hosting.FileLogger, NasHpo.Actors"]</c>.
/// </summary>
#pragma warning disable CA1001 // The file is closed in PostStop, the actor's end of life.
internal sealed class FileLogger : ReceiveActor
#pragma warning restore CA1001
{
    private readonly StreamWriter _writer;

    public FileLogger()
    {
        var path = Context.System.Settings.Config.GetString("nashpo.log.file", string.Empty);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException("nashpo.log.file names no file for the engine's log");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = true };
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(log => _writer.WriteLine(log.ToString()));
    }

    protected override void PostStop() => _writer.Dispose();
}
