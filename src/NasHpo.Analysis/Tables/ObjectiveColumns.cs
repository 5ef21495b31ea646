using System.Globalization;
using NasHpo.Core.Objectives;

namespace NasHpo.Analysis.Tables;

/// <summary>
/// The objective columns of the CSV files: each objective's value as measured and, beside a log-scale objective,
/// <c>log10(name)</c>, the value the hypervolume and the optimizers used. Files keep the raw value so that nothing
/// has to be undone to read them; the log column says what the study optimised.
/// </summary>
internal static class ObjectiveColumns
{
    public static IEnumerable<string> Header(IReadOnlyList<Objective> objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        foreach (var objective in objectives)
        {
            yield return objective.Name;
            if (objective.Scale == ObjectiveScale.Log)
            {
                yield return LogColumn(objective);
            }
        }
    }

    /// <summary>The cells of one point given as the user's values, or empty cells when there is none.</summary>
    public static IEnumerable<string> Cells(IReadOnlyList<Objective> objectives, IReadOnlyList<double>? values)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        for (var i = 0; i < objectives.Count; i++)
        {
            yield return values is null ? string.Empty : Number(values[i]);
            if (objectives[i].Scale == ObjectiveScale.Log)
            {
                yield return values is null ? string.Empty : Number(Math.Log10(values[i]));
            }
        }
    }

    public static string LogColumn(Objective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return $"log10({objective.Name})";
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
