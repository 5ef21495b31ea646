using System.Globalization;
using Akka.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;

namespace NasHpo.Configuration.Tabular;

/// <summary>What a tabular study's problem section decides: the problem, its objectives, space and default reference.</summary>
/// <param name="HoconAddition">Text to append to the study's HOCON (the table's path made absolute), or null.</param>
internal sealed record TabularStudyParts(ProblemDefinition Problem, IReadOnlyList<Objective> Objectives, SearchSpace Space, double[] DefaultReference, string? HoconAddition);

/// <summary>
/// Reads <c>problem { type = tabular, table = "…jsonl.gz", time-scale = 0.01 }</c>. The table path is relative to the
/// study file's folder; the resolved absolute path is written into the study's text so that a resumed study (whose
/// text the journal keeps) finds it from any working directory. The search space is the table's own unless the study
/// declares one, which must be discrete and whose every configuration the table must hold (a narrower space is
/// allowed). Objectives are values the table records; budgets are epochs from 1 to the table's maximum.
/// </summary>
internal static class TabularProblemReader
{
    public const string Type = ProblemDefinition.TabularType;

    private static readonly string[] Keys = ["type", "table", "time-scale"];

    public static bool IsTabular(Config study)
    {
        ArgumentNullException.ThrowIfNull(study);
        return study.HasPath("problem.type") && study.GetString("problem.type")?.Trim() == Type;
    }

    /// <param name="directory">The study file's folder (relative table paths start there), or null for the working directory.</param>
    public static TabularStudyParts Read(Config root, string? directory)
    {
        ArgumentNullException.ThrowIfNull(root);
        var study = root.GetConfig("study");
        var problem = study.GetConfig("problem");
        foreach (var key in problem.AsEnumerable().Select(p => p.Key.Split('.')[0]).Distinct())
        {
            if (!Keys.Contains(key, StringComparer.Ordinal))
            {
                throw new ConfigurationException($"study.problem.{key}", $"unknown key (expected one of: {string.Join(", ", Keys)})");
            }
        }

        var given = problem.HasPath("table") ? problem.GetString("table")?.Trim() : null;
        if (string.IsNullOrEmpty(given))
        {
            throw new ConfigurationException("study.problem.table", "missing (the table file to replay, relative to the study file, e.g. table = \"../tables/fashion-mnist-tabular.jsonl.gz\")");
        }

        var path = Path.IsPathRooted(given) ? given : Path.GetFullPath(Path.Combine(directory ?? Directory.GetCurrentDirectory(), given));
        var table = TabularTableFile.Read(path, "study.problem.table");
        var grid = DiscreteEnumeration.All(table.Space).Count;
        if (table.Configurations.Count < grid)
        {
            // A --limit sample: an optimizer would propose configurations it lacks.
            throw new ConfigurationException("study.problem.table", $"{path} holds {table.Configurations.Count} of the {grid} configurations of its space (a sample for timing); a study needs a complete table");
        }

        var timeScale = 0.0;
        if (problem.HasPath("time-scale"))
        {
            var text = problem.GetString("time-scale");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out timeScale) || !double.IsFinite(timeScale) || timeScale < 0)
            {
                throw new ConfigurationException("study.problem.time-scale", $"\"{text}\" is not a number ≥ 0 (the factor on recorded seconds a trial sleeps; 0 answers at once)");
            }
        }

        var objectives = study.HasPath("objectives")
            ? ObjectivesReader.Read(root, "study.objectives")
            : [new Objective("val-error"), new Objective("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap)];
        var recorded = string.Join(", ", table.CurveMetrics.Concat(table.FixedMetrics));
        for (var i = 0; i < objectives.Count; i++)
        {
            if (!table.Records(objectives[i].Name))
            {
                throw new ConfigurationException($"study.objectives[{i}].name", $"\"{objectives[i].Name}\" is not recorded in the table (it records: {recorded})");
            }
        }

        var space = study.HasPath("search-space") ? CheckedSpace(root, table) : table.Space;
        var problemDefinition = new ProblemDefinition(Type, 0, objectives.Count, TimeSpan.Zero, 0)
        {
            Tabular = new TabularDefinition(path, timeScale, table),
        };
        var addition = path == given ? null : $"\n# the table's path, resolved against the study file's folder\nstudy.problem.table = {Quote(path)}\n";
        return new TabularStudyParts(problemDefinition, objectives, space, objectives.Select(o => DefaultReference(table, o)).ToArray(), addition);
    }

    /// <summary>A declared space is allowed when every one of its configurations is recorded.</summary>
    private static SearchSpace CheckedSpace(Config root, TabularTable table)
    {
        var space = SearchSpaceReader.Read(root, "study.search-space");
        IReadOnlyList<Core.SearchSpaces.Configuration> configurations;
        try
        {
            configurations = DiscreteEnumeration.All(space);
        }
        catch (SearchSpaceException error)
        {
            throw new ConfigurationException("study.search-space", $"{error.Detail}; a tabular study's space must be discrete (leave it out to search the table's own space)");
        }

        var missing = configurations.FirstOrDefault(c => !table.Contains(c));
        return missing is null
            ? space
            : throw new ConfigurationException("study.search-space", $"configuration {missing} is not in the table (the space must match the table's or narrow it; leave it out to search the table's own space)");
    }

    /// <summary>
    /// Worst plausible values: an error rate of 1, else the table's largest recorded value plus 10 % (its smallest less
    /// 10 % for a value to maximise), so every recorded configuration lies inside the reference box. In recorded form,
    /// as a stated reference point is: a log-scale objective's reference is its value, not its logarithm.
    /// </summary>
    private static double DefaultReference(TabularTable table, Objective objective)
    {
        if (objective.Name.EndsWith("-error", StringComparison.Ordinal) && objective.Direction == ObjectiveDirection.Minimize)
        {
            return objective.ToRecorded(1.0);
        }

        var values = table.Runs.SelectMany(run => run.Fixed.TryGetValue(objective.Name, out var value) ? [value] : run.Curves[objective.Name]).ToArray();
        var worst = objective.Direction == ObjectiveDirection.Minimize ? values.Max() : values.Min();
        return objective.ToRecorded(worst + (0.1 * Math.Abs(worst) * (objective.Direction == ObjectiveDirection.Minimize ? 1 : -1)));
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
