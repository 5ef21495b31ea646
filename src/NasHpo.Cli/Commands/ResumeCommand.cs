using System.CommandLine;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo resume ID [--db PATH|URL] [--checkpoints DIR]: continue a study from its journal, after a crash, a kill or Ctrl+C.</summary>
internal static class ResumeCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "the study to continue" };
        var database = CommonOptions.Database();
        var checkpoints = CommonOptions.Checkpoints();
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("resume", "Continue a study from its journal: finished trials are kept, unfinished ones run again") { id, database, checkpoints, logLevel };
        command.SetAction((parseResult, cancellation) => StudyRunner.RunAsync(
            console,
            StudyRunner.ValidateStudyId(parseResult.GetRequiredValue(id)),
            null,
            CommonOptions.Journal(parseResult.GetRequiredValue(database)),
            parseResult.GetValue(checkpoints),
            cancellation,
            parseResult.GetValue(logLevel)));
        return command;
    }
}
