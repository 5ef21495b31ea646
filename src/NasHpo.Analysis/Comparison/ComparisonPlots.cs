using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace NasHpo.Analysis.Comparison;

/// <summary>An objective as the plots show it: its name, and whether its axis is logarithmic.</summary>
internal sealed record PlotObjective(string Name, bool Logarithmic);

/// <summary>
/// A method's points in objective space (user's direction), with a 0..1 progress value each for colouring and
/// whether each was evaluated at the maximum budget (lower budgets are drawn hollow: their values are only estimates).
/// </summary>
internal sealed record MethodPoints(string Method, IReadOnlyList<IReadOnlyList<double>> Points, IReadOnlyList<double> Progress, IReadOnlyList<bool> AtMaxBudget);

/// <summary>
/// The comparison's PNG figures (ScottPlot), in the style of paper 001's Figures 1 and 2: hypervolume curves with a
/// mean ± SEM band, the combined Pareto front of each method, and each method's sampled configurations coloured by
/// how far into its run they were sampled. Objectives such as parameter counts are drawn on a log₁₀ axis.
/// </summary>
internal static class ComparisonPlots
{
    private const int Width = 900;
    private const int Height = 600;
    private const int PanelWidth = 620;

    /// <summary>How many shades the sample plots use for "early" to "late" in a run.</summary>
    private const int ProgressBins = 5;

    /// <summary>Lower-budget points first, so that the maximum-budget ones are drawn on top.</summary>
    private static readonly bool[] HollowThenFilled = [false, true];

    public static void HypervolumeCurves(string path, string title, string xLabel, int seeds, IReadOnlyList<(string Method, IReadOnlyList<CurvePoint> Curve)> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var m = 0; m < methods.Count; m++)
        {
            var color = palette.GetColor(m);
            var curve = methods[m].Curve;
            var xs = curve.Select(p => p.X).ToArray();
            var mean = curve.Select(p => p.Summary.Mean).ToArray();
            var band = plot.Add.FillY(xs, curve.Select(p => p.Summary.Mean - p.Summary.Sem).ToArray(), curve.Select(p => p.Summary.Mean + p.Summary.Sem).ToArray());
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
            var line = plot.Add.ScatterLine(xs, mean, color);
            line.LineWidth = 2;
            line.LegendText = methods[m].Method;
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(string.Create(CultureInfo.InvariantCulture, $"hypervolume (mean ± SEM, {ComparisonReport.Seeds(seeds)})"));
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// Each method's combined front. With two objectives the front is drawn as the staircase it dominates; with more,
    /// every pair of objectives gets a panel of points (a projection of a front is not a staircase).
    /// </summary>
    public static void Fronts(string path, string title, IReadOnlyList<PlotObjective> objectives, IReadOnlyList<MethodPoints> methods)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(methods);
        var palette = new ScottPlot.Palettes.Category10();
        var panels = Pairs(objectives.Count).Select(pair =>
        {
            var plot = new Plot();
            for (var m = 0; m < methods.Count; m++)
            {
                var points = methods[m].Points;
                var xs = points.Select(p => Axis(objectives[pair.X], p[pair.X])).ToArray();
                var ys = points.Select(p => Axis(objectives[pair.Y], p[pair.Y])).ToArray();
                var color = palette.GetColor(m);
                if (objectives.Count == 2 && points.Count > 0)
                {
                    var (stairX, stairY) = Staircase(xs, ys);
                    var stairs = plot.Add.ScatterLine(stairX, stairY, color);
                    stairs.LineWidth = 1.5f;
                }

                var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 6, color);
                markers.LegendText = string.Create(CultureInfo.InvariantCulture, $"{methods[m].Method} ({points.Count})");
            }

            Label(plot, objectives[pair.X], objectives[pair.Y]);
            plot.Title(objectives.Count == 2 ? title : $"{title}: {objectives[pair.X].Name} vs {objectives[pair.Y].Name}");
            plot.ShowLegend(Alignment.UpperRight);
            return plot;
        }).ToArray();
        Save(path, panels);
    }

    /// <summary>One method's sampled configurations over all seeds, shaded from early (light) to late (dark) in each run.</summary>
    public static void Samples(string path, string title, IReadOnlyList<PlotObjective> objectives, MethodPoints samples, IReadOnlyList<IReadOnlyList<double>> front)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(front);
        var colormap = new ScottPlot.Colormaps.Viridis();
        var panels = Pairs(objectives.Count).Select(pair =>
        {
            var plot = new Plot();
            foreach (var atMax in HollowThenFilled)
            {
                for (var bin = 0; bin < ProgressBins; bin++)
                {
                    var inBin = Enumerable.Range(0, samples.Points.Count)
                        .Where(i => samples.AtMaxBudget[i] == atMax && Math.Min(ProgressBins - 1, (int)(samples.Progress[i] * ProgressBins)) == bin)
                        .ToArray();
                    if (inBin.Length == 0)
                    {
                        continue;
                    }

                    // Viridis runs dark to light; reversed, late samples (the ones that should stand out) are dark.
                    var color = colormap.GetColor(1.0 - ((bin + 0.5) / ProgressBins));
                    var markers = plot.Add.Markers(
                        inBin.Select(i => Axis(objectives[pair.X], samples.Points[i][pair.X])).ToArray(),
                        inBin.Select(i => Axis(objectives[pair.Y], samples.Points[i][pair.Y])).ToArray(),
                        atMax ? MarkerShape.FilledCircle : MarkerShape.OpenCircle,
                        atMax ? 5 : 4,
                        color.WithAlpha(atMax ? 0.8 : 0.5));

                    // One legend entry per shade: the filled markers', or the hollow ones' when a shade has no filled ones.
                    var filledInBin = Enumerable.Range(0, samples.Points.Count)
                        .Any(i => samples.AtMaxBudget[i] && Math.Min(ProgressBins - 1, (int)(samples.Progress[i] * ProgressBins)) == bin);
                    if (atMax || !filledInBin)
                    {
                        markers.LegendText = string.Create(CultureInfo.InvariantCulture, $"{bin * 100 / ProgressBins}–{(bin + 1) * 100 / ProgressBins} % of the run");
                    }
                }
            }

            if (front.Count > 0)
            {
                var frontMarkers = plot.Add.Markers(
                    front.Select(p => Axis(objectives[pair.X], p[pair.X])).ToArray(),
                    front.Select(p => Axis(objectives[pair.Y], p[pair.Y])).ToArray(),
                    MarkerShape.OpenCircle,
                    8,
                    Colors.Red);
                frontMarkers.LegendText = "combined Pareto front";
            }

            Label(plot, objectives[pair.X], objectives[pair.Y]);
            plot.Title(objectives.Count == 2 ? title : $"{title}: {objectives[pair.X].Name} vs {objectives[pair.Y].Name}");
            plot.ShowLegend(Alignment.UpperRight);
            plot.Axes.Bottom.Label.Text += "  (filled: maximum budget; hollow: lower budgets)";
            return plot;
        }).ToArray();
        Save(path, panels);
    }

    /// <summary>
    /// The staircase a minimisation front dominates in two objectives: sorted by the first objective, a horizontal
    /// then a vertical step to each next point (also right for maximised objectives drawn in the user's direction,
    /// up to which corner it opens towards).
    /// </summary>
    internal static (double[] X, double[] Y) Staircase(double[] xs, double[] ys)
    {
        var order = Enumerable.Range(0, xs.Length).OrderBy(i => xs[i]).ThenBy(i => ys[i]).ToArray();
        var stairX = new List<double>();
        var stairY = new List<double>();
        for (var k = 0; k < order.Length; k++)
        {
            if (k > 0)
            {
                stairX.Add(xs[order[k]]);
                stairY.Add(ys[order[k - 1]]);
            }

            stairX.Add(xs[order[k]]);
            stairY.Add(ys[order[k]]);
        }

        return (stairX.ToArray(), stairY.ToArray());
    }

    private static IReadOnlyList<(int X, int Y)> Pairs(int objectives) =>
        objectives < 2
            ? throw new ArgumentOutOfRangeException(nameof(objectives), objectives, "objective-space plots need two objectives or more")
            : [.. from x in Enumerable.Range(0, objectives) from y in Enumerable.Range(x + 1, objectives - x - 1) select (x, y)];

    /// <summary>Where a value sits on its axis: log₁₀ of it on a logarithmic axis (ScottPlot draws log axes that way).</summary>
    private static double Axis(PlotObjective objective, double value) =>
        objective.Logarithmic ? Math.Log10(Math.Max(value, double.Epsilon)) : value;

    private static void Label(Plot plot, PlotObjective x, PlotObjective y)
    {
        plot.XLabel(x.Logarithmic ? $"{x.Name} (log scale)" : x.Name);
        plot.YLabel(y.Logarithmic ? $"{y.Name} (log scale)" : y.Name);
        if (x.Logarithmic)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks();
        }

        if (y.Logarithmic)
        {
            plot.Axes.Left.TickGenerator = LogTicks();
        }
    }

    private static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = exponent => exponent <= 4
            ? Math.Pow(10, exponent).ToString("N0", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"1e{exponent:0}"),
    };

    /// <summary>One panel as it is; several side by side in one image.</summary>
    private static void Save(string path, Plot[] panels)
    {
        if (panels.Length == 1)
        {
            panels[0].SavePng(path, Width, Height);
            return;
        }

        // Each panel is rendered on its own and pasted: a plot rendered straight onto a shared canvas clears all of it.
        using var surface = SKSurface.Create(new SKImageInfo(PanelWidth * panels.Length, Height));
        for (var i = 0; i < panels.Length; i++)
        {
            using var panel = SKImage.FromEncodedData(panels[i].GetImageBytes(PanelWidth, Height, ImageFormat.Png));
            surface.Canvas.DrawImage(panel, i * PanelWidth, 0);
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}
