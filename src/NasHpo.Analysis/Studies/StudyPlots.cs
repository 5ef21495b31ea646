using System.Globalization;
using NasHpo.Analysis.Comparison;
using ScottPlot;

namespace NasHpo.Analysis.Studies;

/// <summary>
/// The report's PNG figures of one study (ScottPlot, the comparison's plotting): the Pareto front of every budget,
/// each budget's front alone, the hypervolume history, and the parameter importance per budget for each objective.
/// </summary>
internal static class StudyPlots
{
    private const int Width = 900;
    private const int Height = 600;

    /// <summary>Writes the figures into <paramref name="directory"/>; returns the files' names.</summary>
    public static IReadOnlyList<string> Write(string directory, StudyView view, StudyAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(analysis);
        var overview = view.Overview();
        var written = new List<string>();
        var objectives = ComparisonReport.PlotObjectives(view.Definition);
        var id = overview.Summary.StudyId;
        if (objectives.Length >= 2 && overview.PointsByBudget.Count > 0)
        {
            // Each budget's front is drawn like one method of a comparison.
            var fronts = overview.PointsByBudget.Select(b => FrontOf(b, $"budget {Number(b.Budget)}")).ToArray();
            Save(written, directory, "pareto-fronts.png", path => ComparisonPlots.Fronts(path, $"{id}: the front at each budget", objectives, fronts));
            foreach (var (budget, front) in overview.PointsByBudget.Zip(fronts))
            {
                Save(written, directory, $"pareto-front-b{Number(budget.Budget)}.png", path => ComparisonPlots.Fronts(path, $"{id}: the front at budget {Number(budget.Budget)} ({budget.Evaluated} evaluated)", objectives, [front]));
            }
        }

        var history = overview.Hypervolume;
        if (history.Evaluations.Count > 0)
        {
            var curve = history.Evaluations.Select((e, i) => new CurvePoint(e, new MeanSem(history.Hypervolume[i], 0, 1), [history.Hypervolume[i]])).ToArray();
            Save(written, directory, "hypervolume.png", path => ComparisonPlots.HypervolumeCurves(path, $"{id}: hypervolume", "evaluations", 1, [(id, curve)]));
        }

        foreach (var objective in analysis.Importance.GroupBy(i => i.Objective))
        {
            Save(written, directory, $"importance-{Safe(objective.Key)}.png", path => Importance(path, $"{id}: importance for {objective.Key} (fANOVA per budget)", objective.ToArray()));
        }

        return written;
    }

    private static MethodPoints FrontOf(BudgetPoints budget, string label)
    {
        var front = Enumerable.Range(0, budget.Indices.Count).Where(i => budget.NonDominated[i]).ToArray();
        return new MethodPoints(label, front.Select(i => budget.Objectives[i]).ToArray(), front.Select(_ => 1.0).ToArray(), front.Select(_ => true).ToArray());
    }

    /// <summary>Grouped bars: one group per parameter (ordered by the top budget's importance), one bar per budget.</summary>
    private static void Importance(string path, string title, ImportanceAtBudget[] budgets)
    {
        var parameters = budgets[^1].Parameters.Select(p => p.Parameter).ToArray();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / budgets.Length;
        for (var b = 0; b < budgets.Length; b++)
        {
            var byName = budgets[b].Parameters.ToDictionary(p => p.Parameter, StringComparer.Ordinal);
            var bars = parameters.Select((name, k) => new Bar
            {
                Position = k - 0.4 + (width * (b + 0.5)),
                Value = byName.TryGetValue(name, out var p) ? p.Importance : 0,
                Error = byName.TryGetValue(name, out var q) ? q.StandardDeviation : 0,
                Size = width * 0.9,
                FillColor = palette.GetColor(b),
            }).ToArray();
            var series = plot.Add.Bars(bars);
            series.LegendText = string.Create(CultureInfo.InvariantCulture, $"budget {Number(budgets[b].Budget)} ({budgets[b].Trials} trials)");
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, parameters.Length).Select(k => (double)k).ToArray(), parameters);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("fraction of the variance (main effect)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    private static void Save(List<string> written, string directory, string name, Action<string> draw)
    {
        draw(Path.Combine(directory, name));
        written.Add(name);
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
