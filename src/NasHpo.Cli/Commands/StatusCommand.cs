using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Cli.Engine;
using NasHpo.Configuration;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo status [ID] [--db PATH|URL] [--json]: one study's progress, or the list of studies in the database.</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<string?>("id") { Description = "the study; without it, every study in the database is listed", Arity = ArgumentArity.ZeroOrOne };
        var database = CommonOptions.Database();
        var json = new Option<bool>("--json") { Description = "print JSON instead of text" };
        var cluster = CommonOptions.Cluster();
        var clusterConfig = CommonOptions.ClusterConfig();
        var command = new Command("status", "Show a study's progress from its journal (or list the studies)") { id, database, json, cluster, clusterConfig };
        command.SetAction((parseResult, cancellation) => parseResult.GetValue(cluster) is { } address
            ? ExecuteOnClusterAsync(console, parseResult.GetValue(id), address, parseResult.GetValue(clusterConfig), parseResult.GetValue(json), cancellation)
            : ExecuteAsync(console, parseResult.GetValue(id), CommonOptions.Journal(parseResult.GetRequiredValue(database)), parseResult.GetValue(json), cancellation));
        return command;
    }

    /// <summary>The same output, from the journal a cluster's coordinator reads (the cluster's journal, shared by its coordinators).</summary>
    internal static async Task<int> ExecuteOnClusterAsync(CliConsole console, string? studyId, string address, string? clusterConfig, bool json, CancellationToken cancellation)
    {
        await using var session = ClusterConnection.Connect(address, clusterConfig);
        var ids = studyId is null
            ? (await ClusterConnection.AskAsync<Actors.Cluster.StudiesListed>(session, new Actors.Cluster.ListStudies(), cancellation)).StudyIds
            : [studyId];
        var studies = new List<StudyRecord>();
        foreach (var id in ids)
        {
            studies.Add(await ClusterConnection.ReadStudyAsync(session, id, address, cancellation));
        }

        Print(console, studies, studyId is null, json, $"the cluster at {address}");
        return ExitCodes.Success;
    }

    private static void Print(CliConsole console, List<StudyRecord> studies, bool list, bool json, string where)
    {
        if (!list)
        {
            console.Out.WriteLine(json ? JsonSerializer.Serialize(Summary(studies[0])) : OneLine(studies[0]));
        }
        else if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(studies.Select(Summary).ToArray()));
        }
        else if (studies.Count == 0)
        {
            console.Out.WriteLine($"no studies in {where}");
        }
        else
        {
            foreach (var study in studies)
            {
                console.Out.WriteLine(OneLine(study));
            }
        }
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string? studyId, JournalSettings journal, bool json, CancellationToken cancellation)
    {
        await using var session = JournalSession.Open(journal);
        var ids = studyId is null ? await session.ListStudiesAsync(cancellation) : [studyId];
        var studies = new List<StudyRecord>();
        foreach (var id in ids)
        {
            studies.Add(await session.ReadStudyAsync(id, cancellation));
        }

        Print(console, studies, studyId is null, json, journal.Display);
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
        // Counted as stop.max-budget-spent counts it: a promoted network continued from its parent pays its new epochs.
        ["budgetSpent"] = BudgetSpent(study),
        ["finishReason"] = study.Finished?.Reason,
        ["createdAt"] = study.Created?.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["finishedAt"] = study.Finished?.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Null when the recorded definition no longer reads (a journal from a build with other keys): status still answers.</summary>
    private static double? BudgetSpent(StudyRecord study)
    {
        try
        {
            return study.Created is { } created ? BudgetCharge.Spent(StudyDefinitionReader.FromHocon(created.Definition), study) : null;
        }
        catch (ConfigurationException)
        {
            return null;
        }
    }

    private static string OneLine(StudyRecord study) => string.Create(
        CultureInfo.InvariantCulture,
        $"{study.StudyId}: {study.State}{(study.Finished is { } f ? $" ({f.Reason})" : string.Empty)}, " +
        $"{study.Completed} completed, {study.FailedCount} failed, {study.Running} running, {study.Pending} pending, " +
        $"hypervolume {study.Hypervolume:G6}, Pareto front {study.ParetoFront().Count}");
}
