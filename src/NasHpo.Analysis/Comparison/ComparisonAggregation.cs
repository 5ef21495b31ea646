using NasHpo.Core.Pareto;

namespace NasHpo.Analysis.Comparison;

/// <summary>
/// One finished (completed or failed) evaluation of a run, in the order the run finished them.
/// <paramref name="BudgetSpent"/> is what the evaluation cost in the study's budget unit; <paramref name="Objectives"/>
/// (minimisation space) is null for a failed trial; <paramref name="CountsForHypervolume"/> says whether it was
/// evaluated at the maximum budget, the only fidelity whose values are the true objectives.
/// </summary>
internal sealed record RunEvaluation(double BudgetSpent, double WallSeconds, IReadOnlyList<double>? Objectives, bool CountsForHypervolume);

/// <summary>A run's state after its n-th evaluation: cumulative evaluations, budget, wall time, and hypervolume.</summary>
internal sealed record TracePoint(int Evaluations, double BudgetSpent, double WallSeconds, double Hypervolume);

/// <summary>The x axis a hypervolume curve is drawn against.</summary>
public enum TraceAxis
{
    Evaluations,
    BudgetSpent,
    WallSeconds,
}

/// <summary>Mean and standard error of the mean of one sample.</summary>
internal readonly record struct MeanSem(double Mean, double Sem, int Count);

/// <summary>One grid point of a method's curve: the seeds' values there and their mean ± SEM.</summary>
internal sealed record CurvePoint(double X, MeanSem Summary, IReadOnlyList<double> PerSeed);

/// <summary>
/// The arithmetic of <c>nashpo compare</c>, kept free of the engine and of plotting so that it can be checked with
/// known numbers: hypervolume traces, step-function resampling onto a common grid, mean ± SEM across seeds, and the
/// non-dominated union of several runs' points.
/// </summary>
internal static class ComparisonAggregation
{
    /// <summary>
    /// The run's hypervolume after each evaluation, preceded by the origin (nothing spent, hypervolume 0). Only
    /// evaluations that count (maximum budget) enter the front; the hypervolume is recomputed only when the front
    /// changes, so it can never decrease.
    /// </summary>
    public static IReadOnlyList<TracePoint> Trace(IReadOnlyList<RunEvaluation> evaluations, IReadOnlyList<double> referencePoint)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        ArgumentNullException.ThrowIfNull(referencePoint);
        var reference = referencePoint.ToArray();
        var front = new ParetoArchive<int>();
        var trace = new List<TracePoint>(evaluations.Count + 1) { new(0, 0, 0, 0) };
        var budget = 0.0;
        var hypervolume = 0.0;
        for (var i = 0; i < evaluations.Count; i++)
        {
            var evaluation = evaluations[i];
            budget += evaluation.BudgetSpent;
            if (evaluation is { CountsForHypervolume: true, Objectives: { } objectives } && front.Admit(i, objectives))
            {
                hypervolume = Hypervolume.Compute(front.Points, reference);
            }

            trace.Add(new TracePoint(i + 1, budget, evaluation.WallSeconds, hypervolume));
        }

        return trace;
    }

    /// <summary>The coordinate of a trace point on an axis.</summary>
    public static double X(TracePoint point, TraceAxis axis)
    {
        ArgumentNullException.ThrowIfNull(point);
        return axis switch
        {
            TraceAxis.Evaluations => point.Evaluations,
            TraceAxis.BudgetSpent => point.BudgetSpent,
            TraceAxis.WallSeconds => point.WallSeconds,
            _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
        };
    }

    /// <summary>
    /// The hypervolume of a trace at x, read as a step function: the value of the last point at or before x (0 before
    /// the first). Past the run's end its final value holds, as a finished run keeps its front.
    /// </summary>
    public static double ValueAt(IReadOnlyList<TracePoint> trace, TraceAxis axis, double x)
    {
        ArgumentNullException.ThrowIfNull(trace);

        // Points are ordered on every axis (cumulative counts and completion times), so binary search for the last ≤ x.
        int low = 0, high = trace.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (X(trace[middle], axis) <= x)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0 ? 0.0 : trace[found].Hypervolume;
    }

    /// <summary>
    /// A grid from 0 to <paramref name="end"/>: every integer when the axis counts evaluations and there are at most
    /// <paramref name="points"/> of them, otherwise <paramref name="points"/> evenly spaced values; the end is always on it.
    /// </summary>
    public static IReadOnlyList<double> Grid(double end, int points, bool integers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(end > 0) || !double.IsFinite(end))
        {
            return [0.0];
        }

        if (integers && end <= points)
        {
            return Enumerable.Range(0, (int)Math.Ceiling(end) + 1).Select(i => Math.Min(i, end)).Distinct().ToArray();
        }

        var grid = new double[points];
        for (var i = 0; i < points; i++)
        {
            grid[i] = end * i / (points - 1);
        }

        grid[^1] = end;
        return grid;
    }

    /// <summary>
    /// The part of a common grid a method reached: its points up to <paramref name="end"/>, and the end itself, so that a
    /// method whose runs stopped early (fewer epochs, less time) is not drawn as if it had gone on.
    /// </summary>
    public static IReadOnlyList<double> Truncate(IReadOnlyList<double> grid, double end)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var reached = grid.Where(x => x <= end).ToList();
        if (reached.Count == 0 || reached[^1] < end)
        {
            reached.Add(end);
        }

        return reached;
    }

    /// <summary>Mean and standard error (sample standard deviation over √n); one value has SEM 0.</summary>
    public static MeanSem Summarize(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("no values to summarize", nameof(values));
        }

        var mean = values.Average();
        if (values.Count == 1)
        {
            return new MeanSem(mean, 0.0, 1);
        }

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new MeanSem(mean, Math.Sqrt(variance / values.Count), values.Count);
    }

    /// <summary>
    /// Where a mean curve first reaches <paramref name="target"/> (paper 001's question of a multi-fidelity method: how
    /// much of random search's budget it needs for random search's final hypervolume); null if it never does.
    /// </summary>
    public static double? FirstReach(IReadOnlyList<CurvePoint> curve, double target)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return curve.FirstOrDefault(p => p.Summary.Mean >= target)?.X;
    }

    /// <summary>
    /// Several seeds' traces on one grid that reaches the furthest run on this axis: each seed's step-function value
    /// at every grid point, with their mean ± SEM.
    /// </summary>
    public static IReadOnlyList<CurvePoint> Curve(IReadOnlyList<IReadOnlyList<TracePoint>> seeds, TraceAxis axis, int points)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            return [];
        }

        var end = seeds.Max(trace => trace.Count == 0 ? 0.0 : X(trace[^1], axis));
        return Curve(seeds, axis, Grid(end, points, axis == TraceAxis.Evaluations));
    }

    /// <summary>Several seeds' traces on a given grid.</summary>
    public static IReadOnlyList<CurvePoint> Curve(IReadOnlyList<IReadOnlyList<TracePoint>> seeds, TraceAxis axis, IReadOnlyList<double> grid)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(grid);
        return grid.Select(x =>
        {
            var values = seeds.Select(trace => ValueAt(trace, axis, x)).ToArray();
            return new CurvePoint(x, Summarize(values), values);
        }).ToArray();
    }

    /// <summary>
    /// Indices of the non-dominated points of a union (minimisation), each distinct point once: the first of equal
    /// points stands for all of them.
    /// </summary>
    public static IReadOnlyList<int> UnionFront(IReadOnlyList<IReadOnlyList<double>> points) => ParetoArchive.FrontIndices(points);
}
