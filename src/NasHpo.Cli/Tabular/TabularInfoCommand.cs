using System.CommandLine;
using System.Globalization;
using System.Text;
using NasHpo.Cli.Commands;
using NasHpo.Configuration;
using NasHpo.Core.Tabular;

namespace NasHpo.Cli.Tabular;

/// <summary>
/// nashpo tabular info STUDY [--set KEY=VALUE]...: what the table of a tabular study holds (configurations, seeds,
/// epochs, how it was made, the machine time its training took) and its true Pareto front and hypervolume for the
/// study's objectives, reference point and seed.
/// </summary>
internal static class TabularInfoCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("study") { Description = "a study with problem.type = tabular, e.g. hocon/studies/fashion-mnist-tabular-small.conf" };
        var set = new Option<string[]>("--set") { Description = "overrides a key of the study (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("info", "Describe a tabular study's table and print its true Pareto front and hypervolume") { file, set };
        command.SetAction(parse =>
        {
            var definition = RunCommand.LoadDefinition(parse.GetRequiredValue(file), parse.GetValue(set) ?? []);
            if (definition.Problem.Tabular is not { } tabular)
            {
                throw new UserErrorException($"study.problem.type: \"{definition.Problem.Type}\" is not tabular");
            }

            console.Out.Write(Describe(definition, tabular.Table));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string Describe(StudyDefinition definition, TabularTable table)
    {
        var text = new StringBuilder();
        var runs = table.Runs.ToArray();
        var seeds = runs.Select(r => r.Seed).Distinct().Count();
        var trainSeconds = runs.Sum(r => TabularTable.TrainingSeconds(r, 0, r.RecordedEpochs));
        var evalSeconds = runs.Sum(r => r.Fixed[TabularTable.OverheadSeconds] * Math.Max(1, r.RecordedEpochs));
        text.Append(CultureInfo.InvariantCulture, $"table {definition.Problem.Tabular!.TablePath}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {table.Configurations.Count} configurations x {seeds} seed(s), {runs.Length} runs, epochs 1..{table.MaxEpoch}, {runs.Count(r => r.DivergedAtEpoch is not null)} diverged\n");
        text.Append(CultureInfo.InvariantCulture, $"  space: {string.Join(", ", table.Space.Parameters.Select(p => p.Name))}\n");
        text.Append(CultureInfo.InvariantCulture, $"  per epoch: {string.Join(", ", table.CurveMetrics)}; per run: {string.Join(", ", table.FixedMetrics)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  recorded machine time: {trainSeconds:F0} s training + {evalSeconds:F0} s evaluation = {(trainSeconds + evalSeconds) / 3600:F2} h\n");
        foreach (var (key, value) in table.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {key} = {value}\n");
        }

        // How far a low budget can be trusted: what successive halving on this table keeps and loses.
        var expensive = definition.Objectives.FirstOrDefault(o => table.CurveMetrics.Contains(o.Name, StringComparer.Ordinal));
        if (expensive is not null && TabularFidelity.RankAgreements(table, expensive.Name) is { Count: > 0 } agreements)
        {
            text.Append(CultureInfo.InvariantCulture, $"rank agreement of {expensive.Name} with epoch {table.MaxEpoch} over {agreements[0].Runs} runs (Spearman; share of the best third kept):\n");
            text.Append(CultureInfo.InvariantCulture, $"  {string.Join("  ", agreements.Select(a => string.Create(CultureInfo.InvariantCulture, $"epoch {a.Epoch}: {a.Spearman:F2}, {a.BestThirdKept:F2}")))}\n");
        }

        var front = TabularFront.TrueFront(table, definition.Objectives, definition.Seed);
        var hypervolume = TabularFront.TrueHypervolume(table, definition.Objectives, definition.ReferencePoint, definition.Seed);
        text.Append(CultureInfo.InvariantCulture, $"true front at epoch {table.MaxEpoch} (seed {definition.Seed}, reference ({string.Join(", ", definition.ReferencePoint.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})): {front.Count} configurations, hypervolume {hypervolume:G6}\n");
        foreach (var point in front.OrderBy(p => p.Objectives[0]))
        {
            var values = point.Objectives.Select((v, i) => $"{definition.Objectives[i].Name} {definition.Objectives[i].FromMinimization(v).ToString("G6", CultureInfo.InvariantCulture)}");
            text.Append(CultureInfo.InvariantCulture, $"  {string.Join(", ", values)}  {point.Configuration}\n");
        }

        return text.ToString();
    }
}
