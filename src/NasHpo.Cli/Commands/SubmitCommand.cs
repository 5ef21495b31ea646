using System.CommandLine;
using NasHpo.Actors.Cluster;
using NasHpo.Cli.Engine;
using NasHpo.Configuration;

namespace NasHpo.Cli.Commands;

/// <summary>nashpo submit STUDY.conf --cluster HOST:PORT [--study-id ID] [--set KEY=VALUE]...: start a study on a running cluster.</summary>
internal static class SubmitCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("study") { Description = "the study definition (HOCON)" };
        var cluster = CommonOptions.Cluster();
        cluster.Required = true;
        var clusterConfig = CommonOptions.ClusterConfig();
        var studyId = new Option<string?>("--study-id") { Description = "the new study's id (default: the study's name and the time)" };
        var set = new Option<string[]>("--set") { Description = "overrides a key of the study (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("submit", "Start a study on a running cluster and return (follow it with status --cluster)") { file, cluster, clusterConfig, studyId, set };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            parseResult.GetRequiredValue(file),
            parseResult.GetRequiredValue(cluster)!,
            parseResult.GetValue(clusterConfig),
            parseResult.GetValue(studyId),
            parseResult.GetValue(set) ?? [],
            cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string file, string address, string? clusterConfig, string? studyId, string[] set, CancellationToken cancellation)
    {
        // Validated here, before anything is sent, with the same one-line errors as `run`.
        StudyDefinition definition;
        try
        {
            definition = StudyDefinitionReader.Load(file, set);
        }
        catch (ConfigurationException error)
        {
            throw new UserErrorException(error.Path == "--set" ? error.Message : $"{file}: {error.Message}", error);
        }

        var id = studyId is null ? StudyRunner.NewStudyId(definition.Name) : StudyRunner.ValidateStudyId(studyId);
        await using var session = ClusterConnection.Connect(address, clusterConfig);
        var answer = await ClusterConnection.AskAsync<StudySubmitted>(session, new SubmitStudy(id, definition.Hocon), cancellation);
        if (!answer.Accepted)
        {
            throw new UserErrorException($"the cluster at {address} refused study \"{id}\": {answer.Refusal}");
        }

        console.Out.WriteLine($"study {id} submitted to the cluster at {address}; follow it with: nashpo status {id} --cluster {address}");
        return ExitCodes.Success;
    }
}
