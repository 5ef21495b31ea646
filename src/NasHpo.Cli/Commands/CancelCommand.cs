using System.CommandLine;
using NasHpo.Actors.Cluster;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo cancel ID --cluster HOST:PORT: stop a cluster study for good (it finishes with reason "cancelled").</summary>
internal static class CancelCommand
{
    public static Command Create(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "the study" };
        var cluster = CommonOptions.Cluster();
        cluster.Required = true;
        var clusterConfig = CommonOptions.ClusterConfig();
        var command = new Command("cancel", "Cancel a study running on a cluster: its trials stop and it finishes as \"cancelled\"") { id, cluster, clusterConfig };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console, parseResult.GetRequiredValue(id), parseResult.GetRequiredValue(cluster)!, parseResult.GetValue(clusterConfig), cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string studyId, string address, string? clusterConfig, CancellationToken cancellation)
    {
        await using var session = ClusterConnection.Connect(address, clusterConfig);
        var answer = await ClusterConnection.AskAsync<StudyCancelled>(session, new CancelStudy(StudyRunner.ValidateStudyId(studyId)), cancellation);
        if (!answer.Found)
        {
            throw new UserErrorException($"study \"{studyId}\" cannot be cancelled in the cluster at {address}: {answer.Note}");
        }

        console.Out.WriteLine($"study {studyId} cancelled");
        return ExitCodes.Success;
    }
}
