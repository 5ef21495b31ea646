using System.Globalization;
using System.Text;
using NasHpo.Analysis.Tables;
using NasHpo.Configuration;
using NasHpo.Core.Objectives;

namespace NasHpo.Analysis.Comparison;

/// <summary>One seed's run of a method: the seed, the study id in its own journal, and what the journal holds.</summary>
internal sealed record SeedRun(long Seed, string StudyId, RunHistory History);

/// <summary>All runs of one method, in seed order.</summary>
internal sealed record MethodRuns(string Method, IReadOnlyList<SeedRun> Runs);

/// <summary>A method's final hypervolume over its seeds, and what its runs spent on average.</summary>
internal sealed record MethodSummary(string Method, MeanSem FinalHypervolume, double MinHypervolume, double MaxHypervolume, double MeanEvaluations, double MeanBudget, double MeanWallSeconds, int UnionFrontSize)
{
    /// <summary>
    /// The budget at which this method's mean hypervolume curve first reached random search's final mean, when random
    /// search is among the methods compared (null otherwise, or when it never did).
    /// </summary>
    public double? BudgetToMatchRandom { get; init; }
}

/// <summary>
/// Writes a comparison's files into one directory: hypervolume curves against evaluations, budget and wall time
/// (CSV and PNG), the raw per-run traces, the combined Pareto front per method (CSV and PNG), the sampled
/// configurations (CSV, and one PNG per method) and the summary (summary.csv and summary.md).
/// </summary>
internal static class ComparisonReport
{
    /// <summary>Grid points of the curves (evaluation counts up to this many are drawn one by one).</summary>
    public const int GridPoints = 200;

    /// <summary>
    /// Objective names whose values span decades (parameter and operation counts): drawn on a log axis even when the
    /// study optimises them on a linear scale. A log-scale objective is always drawn on one. The names are the built-in
    /// training workload's (NasHpo.Training's FashionMnistWorkload.ParameterCount and .Flops), which this library does
    /// not reference: it reads studies, it does not train.
    /// </summary>
    private static readonly HashSet<string> LogarithmicObjectives = new(StringComparer.Ordinal) { "params", "flops" };

    /// <summary>The three x axes of the hypervolume curves: file stem, CSV column, axis label.</summary>
    public static IReadOnlyList<(TraceAxis Axis, string File, string Column)> Axes { get; } =
    [
        (TraceAxis.Evaluations, "hypervolume-evaluations", "evaluations"),
        (TraceAxis.BudgetSpent, "hypervolume-budget", "budget_spent"),
        (TraceAxis.WallSeconds, "hypervolume-wall-time", "wall_time_s"),
    ];

    public static IReadOnlyList<MethodSummary> Write(string directory, StudyDefinition study, IReadOnlyList<MethodRuns> methods)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(methods);
        Directory.CreateDirectory(directory);
        var seeds = methods.Count > 0 ? methods[0].Runs.Select(r => r.Seed).ToArray() : [];
        var objectives = PlotObjectives(study);

        IReadOnlyList<(string Method, IReadOnlyList<CurvePoint> Curve)> budgetCurves = [];
        foreach (var (axis, file, column) in Axes)
        {
            var traces = methods.SelectMany(m => m.Runs).Select(r => r.History.Trace).ToArray();
            var end = traces.Length == 0 ? 0.0 : traces.Max(t => ComparisonAggregation.X(t[^1], axis));
            var grid = ComparisonAggregation.Grid(end, GridPoints, axis == TraceAxis.Evaluations);
            var curves = methods.Select(m =>
            {
                var seedTraces = m.Runs.Select(r => r.History.Trace).ToArray();
                var methodEnd = seedTraces.Max(t => ComparisonAggregation.X(t[^1], axis));
                return (m.Method, ComparisonAggregation.Curve(seedTraces, axis, ComparisonAggregation.Truncate(grid, methodEnd)));
            }).ToArray();
            if (axis == TraceAxis.BudgetSpent)
            {
                budgetCurves = curves;
            }

            File.WriteAllText(Path.Combine(directory, file + ".csv"), CurveCsv(column, seeds, curves));
            ComparisonPlots.HypervolumeCurves(Path.Combine(directory, file + ".png"), $"{study.Name}: hypervolume over {AxisName(axis)}", AxisLabel(axis, study), seeds.Length, curves);
        }

        File.WriteAllText(Path.Combine(directory, "traces.csv"), TracesCsv(methods));

        var fronts = methods.Select(m => (Method: m.Method, Members: (IReadOnlyList<(long Seed, SampledPoint Point)>)UnionFront(m))).ToArray();
        File.WriteAllText(Path.Combine(directory, "pareto-front.csv"), FrontCsv(study, fronts));
        File.WriteAllText(Path.Combine(directory, "samples.csv"), SamplesCsv(study, methods));
        // A single objective has no objective space to draw (its front is one point per method, in the CSV); its
        // hypervolume curves above are the plots that say something.
        if (DrawsObjectiveSpace(study))
        {
            DrawObjectiveSpace(directory, study, seeds.Length, objectives, methods, fronts);
        }

        var random = methods.FirstOrDefault(m => m.Method == "random");
        var randomFinal = random is null ? (double?)null : ComparisonAggregation.Summarize(random.Runs.Select(r => r.History.FinalHypervolume).ToArray()).Mean;
        var summaries = methods.Select(m => Summarize(m, fronts.First(f => f.Method == m.Method).Members.Count) with
        {
            BudgetToMatchRandom = randomFinal is { } target ? ComparisonAggregation.FirstReach(budgetCurves.First(c => c.Method == m.Method).Curve, target) : null,
        }).ToArray();
        File.WriteAllText(Path.Combine(directory, "summary.csv"), SummaryCsv(summaries));
        File.WriteAllText(Path.Combine(directory, "summary.md"), SummaryMarkdown(study, seeds, summaries));
        return summaries;
    }

    /// <summary>Whether a comparison of this study draws its front and samples (pareto-front.png, samples-*.png).</summary>
    internal static bool DrawsObjectiveSpace(StudyDefinition study) => study.Objectives.Count >= 2;

    /// <summary>The combined front and each method's samples, drawn in objective space (two objectives or more).</summary>
    private static void DrawObjectiveSpace(
        string directory,
        StudyDefinition study,
        int seeds,
        PlotObjective[] objectives,
        IReadOnlyList<MethodRuns> methods,
        IReadOnlyList<(string Method, IReadOnlyList<(long Seed, SampledPoint Point)> Members)> fronts)
    {
        ComparisonPlots.Fronts(
            Path.Combine(directory, "pareto-front.png"),
            $"{study.Name}: combined Pareto front over {Seeds(seeds)}",
            objectives,
            fronts.Select(f => new MethodPoints(f.Method, f.Members.Select(p => p.Point.Objectives).ToArray(), [], [])).ToArray());
        foreach (var (method, members) in fronts)
        {
            var runs = methods.First(m => m.Method == method).Runs;
            var points = runs.SelectMany(r => r.History.Samples.Select(s => (s.Objectives, s.AtMaxBudget, Progress: (double)(s.Evaluation - 1) / Math.Max(1, r.History.Evaluations.Count)))).ToArray();
            ComparisonPlots.Samples(
                Path.Combine(directory, $"samples-{method}.png"),
                $"{study.Name}: configurations sampled by {method} ({Seeds(seeds)})",
                objectives,
                new MethodPoints(method, points.Select(p => p.Objectives).ToArray(), points.Select(p => p.Progress).ToArray(), points.Select(p => p.AtMaxBudget).ToArray()),
                members.Select(p => p.Point.Objectives).ToArray());
        }
    }

    /// <summary>The objectives as the plots draw them: log-scale ones, and counts that span decades, on a log axis.</summary>
    internal static PlotObjective[] PlotObjectives(StudyDefinition study) =>
        study.Objectives.Select(o => new PlotObjective(o.Name, o.Scale == ObjectiveScale.Log || LogarithmicObjectives.Contains(o.Name))).ToArray();

    /// <summary>The summary as a fixed-width table for the console.</summary>
    public static string SummaryTable(IReadOnlyList<MethodSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var width = Math.Max("method".Length, summaries.Count == 0 ? 0 : summaries.Max(s => s.Method.Length));
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"method".PadRight(width)}  {"final hypervolume (mean ± SEM)",-32}  {"evaluations",11}  {"budget",10}  {"wall s",8}  front"));
        foreach (var s in summaries)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Method.PadRight(width)}  {MeanSemText(s.FinalHypervolume),-32}  {s.MeanEvaluations,11:0.#}  {s.MeanBudget,10:0.#}  {s.MeanWallSeconds,8:0.0}  {s.UnionFrontSize}"));
        }

        return text.ToString();
    }

    /// <summary>"1 seed", "5 seeds".</summary>
    internal static string Seeds(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "seed" : "seeds")}");

    private static string MeanSemText(MeanSem value) => string.Create(CultureInfo.InvariantCulture, $"{value.Mean:G6} ± {value.Sem:G3}");

    private static string AxisName(TraceAxis axis) => axis switch
    {
        TraceAxis.Evaluations => "evaluations",
        TraceAxis.BudgetSpent => "budget spent",
        _ => "wall time",
    };

    private static string AxisLabel(TraceAxis axis, StudyDefinition study) => axis switch
    {
        TraceAxis.Evaluations => "evaluations (completed or failed trials)",
        TraceAxis.BudgetSpent => study.Optimizer.BudgetUnit == OptimizerDefinition.Seconds ? "budget spent (seconds of training)"
            : study.Problem.IsSynthetic && study.Problem.Tabular is null ? "budget spent (fidelity units, as epochs)" : "budget spent (epochs)",
        _ => "wall time since the study was created (s)",
    };

    private static MethodSummary Summarize(MethodRuns method, int unionFrontSize)
    {
        var finals = method.Runs.Select(r => r.History.FinalHypervolume).ToArray();
        var last = method.Runs.Select(r => r.History.Trace[^1]).ToArray();
        return new MethodSummary(
            method.Method,
            ComparisonAggregation.Summarize(finals),
            finals.Min(),
            finals.Max(),
            last.Average(p => p.Evaluations),
            last.Average(p => p.BudgetSpent),
            last.Average(p => p.WallSeconds),
            unionFrontSize);
    }

    /// <summary>The non-dominated union of every maximum-budget result of a method's seeds.</summary>
    private static (long Seed, SampledPoint Point)[] UnionFront(MethodRuns method)
    {
        var candidates = method.Runs.SelectMany(r => r.History.Samples.Where(s => s.AtMaxBudget).Select(s => (r.Seed, Point: s))).ToArray();
        var front = ComparisonAggregation.UnionFront(candidates.Select(c => c.Point.MinimizedObjectives).ToArray());
        return front.Select(i => candidates[i]).ToArray();
    }

    private static string CurveCsv(string column, IReadOnlyList<long> seeds, IReadOnlyList<(string Method, IReadOnlyList<CurvePoint> Curve)> curves)
    {
        var csv = new StringBuilder();
        csv.Append(CultureInfo.InvariantCulture, $"method,{column},hv_mean,hv_sem,seeds");
        foreach (var seed in seeds)
        {
            csv.Append(CultureInfo.InvariantCulture, $",seed_{seed}");
        }

        csv.Append('\n');
        foreach (var (method, curve) in curves)
        {
            foreach (var point in curve)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{method},{Number(point.X)},{Number(point.Summary.Mean)},{Number(point.Summary.Sem)},{point.Summary.Count}");
                foreach (var value in point.PerSeed)
                {
                    csv.Append(',').Append(Number(value));
                }

                csv.Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string TracesCsv(IReadOnlyList<MethodRuns> methods)
    {
        var csv = new StringBuilder("method,seed,study_id,evaluations,budget_spent,wall_time_s,hypervolume\n");
        foreach (var method in methods)
        {
            foreach (var run in method.Runs)
            {
                foreach (var point in run.History.Trace)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{method.Method},{run.Seed},{run.StudyId},{point.Evaluations},{Number(point.BudgetSpent)},{Number(point.WallSeconds)},{Number(point.Hypervolume)}\n");
                }
            }
        }

        return csv.ToString();
    }

    private static string FrontCsv(StudyDefinition study, IReadOnlyList<(string Method, IReadOnlyList<(long Seed, SampledPoint Point)> Members)> fronts)
    {
        var csv = new StringBuilder("method,seed,evaluation");
        foreach (var column in ObjectiveColumns.Header(study.Objectives))
        {
            csv.Append(',').Append(column);
        }

        csv.Append('\n');
        foreach (var (method, members) in fronts)
        {
            foreach (var (seed, point) in members)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{method},{seed},{point.Evaluation}");
                foreach (var cell in ObjectiveColumns.Cells(study.Objectives, point.Objectives))
                {
                    csv.Append(',').Append(cell);
                }

                csv.Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string SamplesCsv(StudyDefinition study, IReadOnlyList<MethodRuns> methods)
    {
        var csv = new StringBuilder("method,seed,evaluation,budget,at_max_budget");
        foreach (var column in ObjectiveColumns.Header(study.Objectives))
        {
            csv.Append(',').Append(column);
        }

        csv.Append('\n');
        foreach (var method in methods)
        {
            foreach (var run in method.Runs)
            {
                foreach (var sample in run.History.Samples)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{method.Method},{run.Seed},{sample.Evaluation},{Number(sample.Budget)},{(sample.AtMaxBudget ? "true" : "false")}");
                    foreach (var cell in ObjectiveColumns.Cells(study.Objectives, sample.Objectives))
                    {
                        csv.Append(',').Append(cell);
                    }

                    csv.Append('\n');
                }
            }
        }

        return csv.ToString();
    }

    private static string SummaryCsv(IReadOnlyList<MethodSummary> summaries)
    {
        var csv = new StringBuilder("method,seeds,final_hv_mean,final_hv_sem,final_hv_min,final_hv_max,evaluations_mean,budget_spent_mean,wall_time_s_mean,union_front_size,budget_to_match_random\n");
        foreach (var s in summaries)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s.Method},{s.FinalHypervolume.Count},{Number(s.FinalHypervolume.Mean)},{Number(s.FinalHypervolume.Sem)},{Number(s.MinHypervolume)},{Number(s.MaxHypervolume)},{Number(s.MeanEvaluations)},{Number(s.MeanBudget)},{Number(s.MeanWallSeconds)},{s.UnionFrontSize},{(s.BudgetToMatchRandom is { } b ? Number(b) : string.Empty)}\n");
        }

        return csv.ToString();
    }

    private static string SummaryMarkdown(StudyDefinition study, IReadOnlyList<long> seeds, IReadOnlyList<MethodSummary> summaries)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {study.Name}: final hypervolume\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Seeds {string.Join(", ", seeds)}; reference point ({string.Join(", ", study.ReferencePoint.Select(Number))}); hypervolume of each run's maximum-budget results");
        var logScale = study.Objectives.Where(o => o.Scale == ObjectiveScale.Log).Select(ObjectiveColumns.LogColumn).ToArray();
        if (logScale.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", computed on {string.Join(", ", logScale)} (reference ({string.Join(", ", study.ObjectiveSpace.FromRecorded(study.ReferencePoint).Select(Number))}) there)");
        }

        text.Append(".\n\n");
        var random = summaries.FirstOrDefault(s => s.Method == "random");
        text.Append("| method | final hypervolume (mean ± SEM) | min | max | evaluations | budget spent | wall time (s) | combined front |");
        text.Append(random is null ? "\n|---|---|---|---|---|---|---|---|\n" : " budget to reach random search's final hypervolume |\n|---|---|---|---|---|---|---|---|---|\n");
        foreach (var s in summaries)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {s.Method} | {MeanSemText(s.FinalHypervolume)} | {s.MinHypervolume:G6} | {s.MaxHypervolume:G6} | {s.MeanEvaluations:0.#} | {s.MeanBudget:0.#} | {s.MeanWallSeconds:0.0} | {s.UnionFrontSize} |");
            if (random is not null)
            {
                // The share is of random search's own mean budget, as paper 001 puts it ("a third of its epochs").
                text.Append(s.BudgetToMatchRandom is { } budget
                    ? string.Create(CultureInfo.InvariantCulture, $" {budget:0.#} ({budget / random.MeanBudget:0.00} of random search's) |")
                    : " never |");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
