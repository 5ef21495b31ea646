using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo status [ID] [--db PATH|URL] [--json]: one study's progress, or the list of studies in the database.</summary>
public static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<string?>("id") { Description = "the study; without it, every study in the database is listed", Arity = ArgumentArity.ZeroOrOne };
        var database = CommonOptions.Database();
        var json = new Option<bool>("--json") { Description = "print JSON instead of text" };
        var command = new Command("status", "Show a study's progress from its journal (or list the studies)") { id, database, json };
        command.SetAction((parseResult, cancellation) =>
            ExecuteAsync(console, parseResult.GetValue(id), CommonOptions.Journal(parseResult.GetRequiredValue(database)), parseResult.GetValue(json), cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string? studyId, JournalSettings journal, bool json, CancellationToken cancellation)
    {
        await using var session = JournalSession.Open(journal);
        if (studyId is null)
        {
            var studies = new List<StudyRecord>();
            foreach (var listed in await session.ListStudiesAsync(cancellation))
            {
                studies.Add(await session.ReadStudyAsync(listed, cancellation));
            }

            if (json)
            {
                console.Out.WriteLine(JsonSerializer.Serialize(studies.Select(Summary).ToArray()));
            }
            else if (studies.Count == 0)
            {
                console.Out.WriteLine($"no studies in {journal.Display}");
            }
            else
            {
                foreach (var study in studies)
                {
                    console.Out.WriteLine(OneLine(study));
                }
            }

            return ExitCodes.Success;
        }

        var record = await session.ReadStudyAsync(studyId, cancellation);
        console.Out.WriteLine(json ? JsonSerializer.Serialize(Summary(record)) : OneLine(record));
        return ExitCodes.Success;
    }

    /// <summary>The JSON shape of a study's status; field names are part of the command's contract.</summary>
    internal static Dictionary<string, object?> Summary(StudyRecord study) => new()
    {
        ["studyId"] = study.StudyId,
        ["state"] = study.State,
        ["trials"] = new Dictionary<string, int>
        {
            ["completed"] = study.Completed,
            ["failed"] = study.FailedCount,
            ["running"] = study.Running,
            ["pending"] = study.Pending,
        },
        ["evaluations"] = study.Completed + study.FailedCount,
        ["hypervolume"] = study.Hypervolume,
        ["paretoSize"] = study.ParetoFront().Count,
        ["finishReason"] = study.Finished?.Reason,
        ["createdAt"] = study.Created?.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["finishedAt"] = study.Finished?.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static string OneLine(StudyRecord study) => string.Create(
        CultureInfo.InvariantCulture,
        $"{study.StudyId}: {study.State}{(study.Finished is { } f ? $" ({f.Reason})" : string.Empty)}, " +
        $"{study.Completed} completed, {study.FailedCount} failed, {study.Running} running, {study.Pending} pending, " +
        $"hypervolume {study.Hypervolume:G6}, Pareto front {study.ParetoFront().Count}");
}
