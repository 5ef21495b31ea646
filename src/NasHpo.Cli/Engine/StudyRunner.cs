using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;

namespace NasHpo.Cli.Engine;

/// <summary>
/// Runs one study in this process until it finishes or the user interrupts it, showing progress: the shared
/// body of <c>run</c> (a new study) and <c>resume</c> (one from the journal).
/// </summary>
internal static partial class StudyRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    // Starting a study is asked once and not retried: a freshly started process on a starved machine (tests running
    // beside other work) can take seconds to answer its first message, which must not end the command.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A study id is part of actor names and persistence ids: letters, digits, '.', '_' and '-'.</summary>
    public static string ValidateStudyId(string studyId) =>
        StudyIdPattern().IsMatch(studyId)
            ? studyId
            : throw new UserErrorException($"study id \"{studyId}\" must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");

    /// <summary>"{name}-{yyyyMMdd-HHmmss}" with anything unsafe replaced.</summary>
    public static string NewStudyId(string name) =>
        ValidateStudyId($"{UnsafeCharacters().Replace(name, "-").Trim('-', '.')}-{DateTime.UtcNow:yyyyMMdd-HHmmss}".TrimStart('-'));

    public static async Task<int> RunAsync(CliConsole console, string studyId, StudyDefinition? definition, JournalSettings journal, string? checkpoints, CancellationToken cancellation)
    {
        var database = journal.Display;

        // Resume needs an existing journal; opening the engine on a missing file would leave an empty database behind.
        if (definition is null && journal.SqliteFile is { } file && !File.Exists(file))
        {
            throw new UserErrorException(Directory.Exists(file)
                ? $"cannot use database {file}: it is a directory"
                : $"no database at {file}, so no study \"{studyId}\" to resume (pass --db PATH)");
        }

        EngineHost host;
        try
        {
            // --checkpoints goes through the configuration key, so the engine has one rule for where checkpoints live.
            var overrides = checkpoints is null
                ? null
                : ConfigurationFactory.ParseString($"nashpo.checkpoints.directory = {HoconString(Path.GetFullPath(checkpoints))}");
            host = EngineHost.Create(journal, overrides);
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        await using (host)
        {
            var record = await JournalReader.ReadStudyAsync(host.System, studyId, cancellation);
            if (definition is not null && record.Exists)
            {
                throw new UserErrorException($"study \"{studyId}\" already exists in {database}; continue it with: nashpo resume {studyId} --db {database}");
            }

            if (definition is null && !record.Exists)
            {
                throw new UserErrorException($"no study \"{studyId}\" in {database} (nashpo status --db {database} lists them)");
            }

            if (record.Finished is { } finished)
            {
                console.Out.WriteLine($"study {studyId} already finished ({finished.Reason}); nothing to resume");
                return ExitCodes.Success;
            }

            var resolved = definition ?? StudyDefinitionReader.FromHocon(record.Created!.Definition);
            if (!resolved.Problem.IsSynthetic && host.CheckpointDirectory is null)
            {
                throw new UserErrorException($"study \"{studyId}\" trains networks and a PostgreSQL journal keeps no checkpoints next to it: pass --checkpoints DIR");
            }

            try
            {
                WorkloadCatalog.CheckDevices(resolved);
            }
            catch (DeviceUnavailableException error)
            {
                throw new UserErrorException(error.Message, error);
            }

            var studies = host.StartEngine(resolved.DeviceNames);
            await studies.Ask<StudyStarting>(new StartStudy(studyId, definition), StartTimeout, cancellation);
            console.Out.WriteLine(definition is null
                ? $"resuming study {studyId} from {database} ({record.Completed + record.FailedCount} evaluations recorded)"
                : $"study {studyId} started in {database}");

            var progress = new ProgressDisplay(console, studyId);
            try
            {
                while (true)
                {
                    await Task.Delay(PollInterval, cancellation);
                    StudyStatus status;
                    try
                    {
                        status = await studies.Ask<StudyStatus>(new GetStudyStatus(studyId), AskTimeout, cancellation);
                    }
                    catch (AskTimeoutException)
                    {
                        // The study is restarting after a journal failure; it answers again once recovered.
                        continue;
                    }

                    progress.Show(status);
                    if (status.State == StudyState.Finished)
                    {
                        progress.Done(status, database);
                        return ExitCodes.Success;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                await studies.Ask<StudyStopped>(new StopStudy(studyId), AskTimeout, CancellationToken.None).ConfigureAwait(false);
                progress.Interrupted(database, checkpoints is null ? null : Path.GetFullPath(checkpoints));
                throw;
            }
        }
    }

    private static string HoconString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex StudyIdPattern();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeCharacters();
}
