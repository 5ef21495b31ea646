using System.Globalization;
using System.Text;
using NasHpo.Configuration;
using NasHpo.Core.Tabular;

namespace NasHpo.Analysis.Comparison;

/// <summary>One method's results on a table: regret and hypervolume at equal budgets, over its seeds.</summary>
/// <param name="FinalRegret">True hypervolume less the final hypervolume found, mean ± SEM over seeds.</param>
/// <param name="HypervolumeAtThird">Hypervolume after a third of random search's mean budget, per seed.</param>
/// <param name="HypervolumeAtFull">Hypervolume after random search's mean budget, per seed.</param>
internal sealed record TabularMethodResult(string Method, MeanSem FinalRegret, double MedianFinalRegret, MeanSem FinalHypervolume, double MedianFinalHypervolume, IReadOnlyList<double> HypervolumeAtThird, IReadOnlyList<double> HypervolumeAtFull);

/// <summary>
/// What <c>compare</c> adds on a tabular problem, where the best achievable front is known: each run's regret (the
/// table's true hypervolume, for the run's seed, less the hypervolume it found), the regret curve against the budget
/// spent, and every method's hypervolume at equal budgets (a third of random search's epochs and all of them), with
/// means, SEMs and medians. Files: tabular-summary.md, tabular-summary.csv, regret-budget.csv.
/// </summary>
internal static class TabularRegret
{
    public static IReadOnlyList<TabularMethodResult> Write(string directory, StudyDefinition study, IReadOnlyList<MethodRuns> methods)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(methods);
        var table = study.Problem.Tabular?.Table ?? throw new ArgumentException("not a tabular study", nameof(study));
        var trueHypervolume = new Dictionary<long, double>();
        double TrueOf(long seed)
        {
            if (!trueHypervolume.TryGetValue(seed, out var value))
            {
                trueHypervolume[seed] = value = TabularFront.TrueHypervolume(table, study.Objectives, study.ReferencePoint, seed);
            }

            return value;
        }

        var random = methods.FirstOrDefault(m => m.Method == "random") ?? methods[0];
        var fullBudget = random.Runs.Average(r => r.History.Trace[^1].BudgetSpent);
        var results = methods.Select(m =>
        {
            var regrets = m.Runs.Select(r => TrueOf(r.Seed) - r.History.FinalHypervolume).ToArray();
            var finals = m.Runs.Select(r => r.History.FinalHypervolume).ToArray();
            return new TabularMethodResult(
                m.Method,
                ComparisonAggregation.Summarize(regrets),
                Median(regrets),
                ComparisonAggregation.Summarize(finals),
                Median(finals),
                m.Runs.Select(r => ComparisonAggregation.ValueAt(r.History.Trace, TraceAxis.BudgetSpent, fullBudget / 3)).ToArray(),
                m.Runs.Select(r => ComparisonAggregation.ValueAt(r.History.Trace, TraceAxis.BudgetSpent, fullBudget)).ToArray());
        }).ToArray();

        var end = methods.SelectMany(m => m.Runs).Max(r => r.History.Trace[^1].BudgetSpent);
        var grid = ComparisonAggregation.Grid(end, ComparisonReport.GridPoints, integers: false);
        var curve = new StringBuilder("method,budget_spent,regret_mean,regret_sem,regret_median,seeds\n");
        foreach (var method in methods)
        {
            foreach (var x in grid)
            {
                var regrets = method.Runs.Select(r => TrueOf(r.Seed) - ComparisonAggregation.ValueAt(r.History.Trace, TraceAxis.BudgetSpent, x)).ToArray();
                var summary = ComparisonAggregation.Summarize(regrets);
                curve.Append(CultureInfo.InvariantCulture, $"{method.Method},{Number(x)},{Number(summary.Mean)},{Number(summary.Sem)},{Number(Median(regrets))},{summary.Count}\n");
            }
        }

        File.WriteAllText(Path.Combine(directory, "regret-budget.csv"), curve.ToString());
        var seeds = methods[0].Runs.Select(r => r.Seed).ToArray();
        var meanTrue = seeds.Average(TrueOf);
        File.WriteAllText(Path.Combine(directory, "tabular-summary.csv"), Csv(results));
        File.WriteAllText(Path.Combine(directory, "tabular-summary.md"), Markdown(study, table, results, fullBudget, meanTrue, seeds.Length));
        return results;
    }

    /// <summary>The results as a fixed-width table for the console.</summary>
    public static string Table(IReadOnlyList<TabularMethodResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var width = Math.Max("method".Length, results.Count == 0 ? 0 : results.Max(r => r.Method.Length));
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"method".PadRight(width)}  {"regret (mean ± SEM)",-24}  {"median",8}  {"HV median @1/3",14}  {"HV median @full",15}"));
        foreach (var r in results)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Method.PadRight(width)}  {$"{r.FinalRegret.Mean:G4} ± {r.FinalRegret.Sem:G3}",-24}  {r.MedianFinalRegret,8:G4}  {Median(r.HypervolumeAtThird),14:G5}  {Median(r.HypervolumeAtFull),15:G5}"));
        }

        return text.ToString();
    }

    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }

    private static string Csv(IReadOnlyList<TabularMethodResult> results)
    {
        var csv = new StringBuilder("method,seeds,regret_mean,regret_sem,regret_median,final_hv_mean,final_hv_sem,final_hv_median,hv_third_budget_median,hv_third_budget_mean,hv_full_budget_median,hv_full_budget_mean\n");
        foreach (var r in results)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Method},{r.FinalRegret.Count},{Number(r.FinalRegret.Mean)},{Number(r.FinalRegret.Sem)},{Number(r.MedianFinalRegret)},{Number(r.FinalHypervolume.Mean)},{Number(r.FinalHypervolume.Sem)},{Number(r.MedianFinalHypervolume)},{Number(Median(r.HypervolumeAtThird))},{Number(r.HypervolumeAtThird.Average())},{Number(Median(r.HypervolumeAtFull))},{Number(r.HypervolumeAtFull.Average())}\n");
        }

        return csv.ToString();
    }

    private static string Markdown(StudyDefinition study, TabularTable table, IReadOnlyList<TabularMethodResult> results, double fullBudget, double meanTrue, int seeds)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {study.Name}: regret on the table\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Table {Path.GetFileName(study.Problem.Tabular!.TablePath)}: {table.Configurations.Count} configurations, epochs 1..{table.MaxEpoch}. ");
        text.Append(CultureInfo.InvariantCulture, $"True hypervolume (the table's Pareto front at epoch {table.MaxEpoch}, reference ({string.Join(", ", study.ReferencePoint.Select(Number))})) {meanTrue:G6} on average over the {seeds} seeds. ");
        text.Append(CultureInfo.InvariantCulture, $"Regret = true hypervolume − hypervolume found. Equal budgets: random search's mean budget {fullBudget:0.#} epochs (full) and a third of it ({fullBudget / 3:0.#}).\n\n");
        text.Append("| method | final regret (mean ± SEM) | median regret | final HV (mean ± SEM) | median final HV | median HV at 1/3 budget | median HV at full budget |\n|---|---|---|---|---|---|---|\n");
        foreach (var r in results)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Method} | {r.FinalRegret.Mean:G4} ± {r.FinalRegret.Sem:G3} | {r.MedianFinalRegret:G4} | {r.FinalHypervolume.Mean:G5} ± {r.FinalHypervolume.Sem:G3} | {r.MedianFinalHypervolume:G5} | {Median(r.HypervolumeAtThird):G5} | {Median(r.HypervolumeAtFull):G5} |\n");
        }

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
