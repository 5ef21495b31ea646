using System.CommandLine;
using System.Globalization;
using NasHpo.Actors.Hosting;
using NasHpo.Cli.Engine;
using NasHpo.Configuration;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo run STUDY.conf [--study-id ID] [--db PATH|URL] [--checkpoints DIR] [--seed N] [--set KEY=VALUE]...: create a study and run it to its end.</summary>
internal static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("study") { Description = "the study definition (HOCON), e.g. hocon/studies/zdt1.conf" };
        var studyId = new Option<string?>("--study-id") { Description = "the new study's id (default: the study's name and the time)" };
        var database = CommonOptions.Database();
        var checkpoints = CommonOptions.Checkpoints();
        var seed = new Option<long?>("--seed") { Description = "overrides study.seed" };
        var set = new Option<string[]>("--set")
        {
            Description = "overrides a key of the study, e.g. --set stop.max-evaluations=50 (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("run", "Create a study from a HOCON file and run it until a stop criterion holds") { file, studyId, database, checkpoints, seed, set, logLevel };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            parseResult.GetRequiredValue(file),
            parseResult.GetValue(studyId),
            CommonOptions.Journal(parseResult.GetRequiredValue(database)),
            parseResult.GetValue(checkpoints),
            parseResult.GetValue(seed),
            parseResult.GetValue(set) ?? [],
            cancellation,
            parseResult.GetValue(logLevel)));
        return command;
    }

    internal static Task<int> ExecuteAsync(CliConsole console, string file, string? studyId, JournalSettings journal, string? checkpoints, long? seed, string[] set, CancellationToken cancellation, string? logLevel = null)
    {
        var overrides = set.ToList();
        if (seed is { } value)
        {
            overrides.Add(string.Create(CultureInfo.InvariantCulture, $"seed={value}"));
        }

        var definition = LoadDefinition(file, overrides);
        var id = studyId is null ? StudyRunner.NewStudyId(definition.Name) : StudyRunner.ValidateStudyId(studyId);
        return StudyRunner.RunAsync(console, id, definition, journal, checkpoints, cancellation, logLevel);
    }

    /// <summary>Reads and validates a study file with --set overrides; a mistake is a user error naming the file or --set.</summary>
    internal static StudyDefinition LoadDefinition(string file, IReadOnlyList<string> overrides)
    {
        try
        {
            return StudyDefinitionReader.Load(file, overrides);
        }
        catch (ConfigurationException error)
        {
            // A syntax error already names the file (as "name.conf:line:column"), and a bad --set is not the file's fault.
            var message = error.Path == "--set" ? error.Message
                : error.Path.StartsWith(Path.GetFileName(file) + ":", StringComparison.Ordinal) ? Path.Join(Path.GetDirectoryName(file), error.Message)
                : $"{file}: {error.Message}";
            throw new UserErrorException(message, error);
        }
    }
}
