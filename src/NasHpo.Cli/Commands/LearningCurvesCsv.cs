using System.Globalization;
using System.Text;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Commands;

/// <summary>
/// curves.csv of <c>nashpo report</c>: every intermediate value of every completed trial, one row per value
/// (trial, configuration, budget, step, metric, value), in the order the trials and their reports came. Long rather
/// than wide, so that trials reporting different metrics share one file and a plot is one group-by away.
/// </summary>
internal static class LearningCurvesCsv
{
    public static string Write(IReadOnlyList<TrialRecord> trials)
    {
        var csv = new StringBuilder("trial,configuration_id,budget,step,metric,value\n");
        foreach (var trial in trials)
        {
            if (trial.Completed is not { } completed)
            {
                continue;
            }

            foreach (var point in completed.Curve)
            {
                // The x itself ("epoch" or "step") is the step column, not a metric.
                foreach (var (metric, value) in point.Values.Where(p => p.Key is not ("epoch" or "step")).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{completed.Trial},{completed.Trial.ConfigurationId},{Number(completed.Trial.Budget)},{Number(point.Step)},{Escape(metric)},{Number(value)}\n");
                }
            }
        }

        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
