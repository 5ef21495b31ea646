using System.Text.Json;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads.Command;

namespace NasHpo.Actors.Workloads.Command;

/// <summary>Where a trial's program runs and keeps its files, as the request file tells it.</summary>
internal sealed record TrialPlaces(string Study, string Device, long Seed, string CheckpointDirectory, string? ParentCheckpointDirectory, string LogFile);

/// <summary>
/// The whole request of a trial as a JSON file (camelCase), named by <c>NASHPO_REQUEST</c>: a program can read its
/// configuration, budget, parent, lineage, seed, device and directories from it instead of from placeholders.
/// </summary>
internal static class CommandRequestFile
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void Write(string path, TrialRequest request, SearchSpace space, IReadOnlyList<Objective> objectives, TrialPlaces places)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, Indented))
        {
            json.WriteStartObject();
            json.WriteString("study", places.Study);
            json.WriteString("trial", request.Id.ToString());
            json.WriteNumber("configurationId", request.Id.ConfigurationId);
            json.WriteNumber("budget", request.Id.Budget);
            json.WriteNumber("seed", places.Seed);
            json.WriteString("device", places.Device);
            json.WritePropertyName("configuration");
            WriteConfiguration(json, request.Configuration, space);
            json.WriteStartArray("objectives");
            foreach (var objective in objectives)
            {
                json.WriteStartObject();
                json.WriteString("name", objective.Name);
                json.WriteString("direction", objective.Direction == ObjectiveDirection.Minimize ? "minimize" : "maximize");
                json.WriteString("cost", objective.Cost == ObjectiveCost.Cheap ? "cheap" : "expensive");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("checkpointDir", places.CheckpointDirectory);
            if (request.Parent is { } parent)
            {
                json.WriteStartObject("parent");
                json.WriteString("trial", parent.ToString());
                json.WriteNumber("budget", parent.Budget);
                if (places.ParentCheckpointDirectory is { } parentDirectory)
                {
                    json.WriteString("checkpointDir", parentDirectory);
                }
                else
                {
                    json.WriteNull("checkpointDir");
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("parent");
            }

            if (request.Lineage is { } lineage)
            {
                json.WriteStartObject("lineage");
                json.WriteString("parentTrial", lineage.ParentTrial.ToString());
                json.WriteString("operation", lineage.Operation);
                json.WritePropertyName("parentConfiguration");
                WriteConfiguration(json, lineage.ParentConfiguration, space);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("lineage");
            }

            json.WriteString("logFile", places.LogFile);
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Active parameters only; numbers as numbers, booleans as true/false, choices as their text.</summary>
    private static void WriteConfiguration(Utf8JsonWriter json, NasHpo.Core.SearchSpaces.Configuration configuration, SearchSpace space)
    {
        json.WriteStartObject();
        foreach (var (name, value) in configuration.Values)
        {
            var kind = space.IndexOf(name) >= 0 ? space[name].Kind : ParameterKind.Float;
            if (value.Text is { } text)
            {
                json.WriteString(name, text);
            }
            else if (kind == ParameterKind.Boolean)
            {
                json.WriteBoolean(name, value.Number != 0);
            }
            else if (kind == ParameterKind.Integer)
            {
                json.WriteNumber(name, (long)Math.Round(value.Number));
            }
            else
            {
                json.WriteNumber(name, value.Number);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>The values a command line's placeholders take for this trial.</summary>
    public static CommandValues ValuesOf(TrialRequest request, TrialPlaces places, string requestFile) =>
        new(request.Id.Budget, request.Id.ToString(), places.Seed, places.Device, places.CheckpointDirectory, places.ParentCheckpointDirectory, requestFile);
}
