using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Analysis.Studies;
using NasHpo.Cli.Engine;
using NasHpo.Dashboard;
using NasHpo.Analysis.Tables;
using NasHpo.Configuration;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo report ID [--db PATH|URL] --out DIR: trials.csv, pareto.csv, hypervolume.csv, curves.csv (learning curves) and study.json from the journal,
/// report.html (the dashboard's views of the study in one file that opens with no server or network) and PNG figures
/// (the front per budget, the hypervolume history, the parameter importance per budget).
/// Objective columns hold the measured values, with log10(name) beside each log-scale objective; the hypervolume is
/// the archive's, computed on the log10 values.
/// Rows are in ledger order (the order trials were scheduled), so two runs of a deterministic study give the same
/// files apart from the timing and device columns, whose names contain "_at", "duration" or "device".
/// </summary>
internal static class ReportCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "the study" };
        var database = CommonOptions.Database();
        var output = new Option<string>("--out") { Description = "directory for the report files (created if needed)", Required = true }.NamingAPath();
        var cluster = CommonOptions.Cluster();
        var clusterConfig = CommonOptions.ClusterConfig();
        var command = new Command("report", "Write a study's trials, Pareto front, hypervolume history and definition") { id, database, output, cluster, clusterConfig };
        command.SetAction((parseResult, cancellation) => parseResult.GetValue(cluster) is { } address
            ? ExecuteOnClusterAsync(console, parseResult.GetRequiredValue(id), address, parseResult.GetValue(clusterConfig), parseResult.GetRequiredValue(output), cancellation)
            : ExecuteAsync(console, parseResult.GetRequiredValue(id), CommonOptions.Journal(parseResult.GetRequiredValue(database)), parseResult.GetRequiredValue(output), cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string studyId, JournalSettings journal, string outputDirectory, CancellationToken cancellation)
    {
        StudyRecord record;
        await using (var session = JournalSession.Open(journal))
        {
            record = await session.ReadStudyAsync(studyId, cancellation);
        }

        return Write(console, studyId, record, outputDirectory);
    }

    /// <summary>The same files, from the journal a cluster's coordinator sends.</summary>
    internal static async Task<int> ExecuteOnClusterAsync(CliConsole console, string studyId, string address, string? clusterConfig, string outputDirectory, CancellationToken cancellation)
    {
        StudyRecord record;
        await using (var session = ClusterConnection.Connect(address, clusterConfig))
        {
            record = await ClusterConnection.ReadStudyAsync(session, studyId, address, cancellation);
        }

        return Write(console, studyId, record, outputDirectory);
    }

    private static int Write(CliConsole console, string studyId, StudyRecord record, string outputDirectory)
    {
        var definition = StudyDefinitionReader.FromHocon(record.Created!.Definition);
        var front = record.ParetoFront();
        var view = new StudyView(record);
        var analysis = StudyAnalyses.Of(view);
        IReadOnlyList<string> figures;
        try
        {
            Directory.CreateDirectory(outputDirectory);
            File.WriteAllText(Path.Combine(outputDirectory, "trials.csv"), TrialsCsv(definition, record.Trials));
            File.WriteAllText(Path.Combine(outputDirectory, "pareto.csv"), TrialsCsv(definition, front));
            File.WriteAllText(Path.Combine(outputDirectory, "hypervolume.csv"), HypervolumeCsv(record));
            File.WriteAllText(Path.Combine(outputDirectory, "study.json"), StudyJson(definition, record));
            File.WriteAllText(Path.Combine(outputDirectory, "curves.csv"), LearningCurvesCsv.Write(record.Trials));
            File.WriteAllText(Path.Combine(outputDirectory, "report.html"), DashboardPage.Report(StudyReport.From(view, analysis, DateTimeOffset.UtcNow)));
            figures = StudyPlots.Write(outputDirectory, view, analysis);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write the report to {outputDirectory}: {error.Message}", error);
        }

        console.Out.WriteLine($"report of {studyId} written to {outputDirectory}: {record.Trials.Count} trials, Pareto front of {front.Count}; open {Path.Combine(outputDirectory, "report.html")} in a browser ({figures.Count} figures beside it)");
        return ExitCodes.Success;
    }

    private static string TrialsCsv(StudyDefinition definition, IReadOnlyList<TrialRecord> trials)
    {
        var parameters = definition.Space.Parameters.Select(p => p.Name).ToArray();
        var objectives = definition.Objectives.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        // Recorded metrics that are not objectives (test error, epochs trained, ...), in a stable order.
        var metrics = trials.SelectMany(t => t.Completed?.Metrics.Keys ?? []).Where(m => !objectives.Contains(m)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var header = new List<string> { "trial_id", "configuration_id", "budget", "bracket", "rung" };
        header.AddRange(parameters);
        header.AddRange(ObjectiveColumns.Header(definition.Objectives));
        header.AddRange(metrics);
        header.AddRange(["status", "failure", "device", "scheduled_at", "started_at", "finished_at", "duration_s"]);

        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', header.Select(Escape)));
        foreach (var trial in trials)
        {
            var request = trial.Scheduled.Request;
            var row = new List<string>
            {
                request.Id.ToString(),
                Number(request.Id.ConfigurationId),
                Number(request.Id.Budget),
                Number(request.Bracket),
                Number(request.Rung),
            };
            foreach (var name in parameters)
            {
                row.Add(request.Configuration.Values.TryGetValue(name, out var value)
                    ? value.Text ?? Number(value.Number)
                    : string.Empty);
            }

            row.AddRange(ObjectiveColumns.Cells(definition.Objectives, trial.Completed is { } completed ? definition.ObjectiveSpace.RecordedToUser(completed.Objectives) : null));

            foreach (var metric in metrics)
            {
                row.Add(trial.Completed?.Metrics.TryGetValue(metric, out var value) == true ? Number(value) : string.Empty);
            }

            row.Add(trial.Status);
            row.Add(trial.Failed?.Reason ?? string.Empty);
            row.Add(trial.Completed?.Device ?? trial.Failed?.Device ?? trial.Started?.Device ?? string.Empty);
            row.Add(Time(trial.Scheduled.ScheduledAt));
            row.Add(trial.Started is { } started ? Time(started.StartedAt) : string.Empty);
            row.Add(trial.Completed?.CompletedAt is { } at ? Time(at) : trial.Failed is { } failed ? Time(failed.FailedAt) : string.Empty);
            row.Add(trial.Completed is { } done ? Number(done.Duration.TotalSeconds) : string.Empty);
            csv.AppendLine(string.Join(',', row.Select(Escape)));
        }

        return csv.ToString();
    }

    private static string HypervolumeCsv(StudyRecord record)
    {
        var csv = new StringBuilder("evaluations,elapsed_time_s,hypervolume\n");
        for (var i = 0; i < record.Archive.Count; i++)
        {
            var archived = record.Archive[i];
            csv.Append(CultureInfo.InvariantCulture, $"{i + 1},{Number(archived.Elapsed.TotalSeconds)},{Number(archived.Hypervolume)}\n");
        }

        return csv.ToString();
    }

    private static string StudyJson(StudyDefinition definition, StudyRecord record)
    {
        var summary = StatusCommand.Summary(record);
        var document = new Dictionary<string, object?>
        {
            ["studyId"] = record.StudyId,
            ["name"] = definition.Name,
            ["seed"] = record.Created!.Seed,
            ["referencePoint"] = record.Created.ReferencePoint,
            // Where the hypervolume is computed: log10 of a log-scale objective's reference, a maximised one negated.
            ["hypervolumeReferencePoint"] = definition.ObjectiveSpace.FromRecorded(record.Created.ReferencePoint),
            ["objectives"] = definition.Objectives.Select(o => new { name = o.Name, direction = o.Direction.ToString().ToLowerInvariant(), cost = o.Cost.ToString().ToLowerInvariant(), scale = o.Scale.ToString().ToLowerInvariant() }),
            ["parameters"] = definition.Space.Parameters.Select(p => new { name = p.Name, kind = p.Kind.ToString().ToLowerInvariant() }),
            ["optimizer"] = new { type = definition.Optimizer.Type, eta = definition.Optimizer.Eta, minBudget = definition.Optimizer.MinBudget, maxBudget = definition.Optimizer.MaxBudget, promotion = OptimizerDefinition.PromotionModes[(int)definition.Optimizer.Promotion] },
            ["problem"] = new { type = definition.Problem.Type, dimensions = definition.Problem.Dimensions, objectives = definition.Problem.Objectives, delaySeconds = definition.Problem.Delay.TotalSeconds },
            ["stop"] = new { maxEvaluations = definition.Stop.MaxEvaluations, maxWallClockSeconds = definition.Stop.MaxWallClock?.TotalSeconds, maxBudgetSpent = definition.Stop.MaxBudgetSpent },
            ["devices"] = definition.Devices,
            ["summary"] = summary,
            ["definition"] = record.Created.Definition,
        };
        return JsonSerializer.Serialize(document, JsonOptions);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
