using NasHpo.Core.Objectives;
using NasHpo.Core.Pareto;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tabular;

/// <summary>A point of a table's true Pareto front: the configuration and its objectives in minimisation space.</summary>
internal sealed record TabularFrontPoint(Configuration Configuration, IReadOnlyList<double> Objectives);

/// <summary>
/// The best any search can do on a table: the Pareto front of every configuration's values at the maximum epoch, as
/// a study with a given seed sees them (each configuration through the seed that study draws), and its hypervolume.
/// A run's regret is this hypervolume less the one it found.
/// </summary>
internal static class TabularFront
{
    /// <summary>Every configuration's objectives at <paramref name="epoch"/> (minimisation space); diverged runs are left out.</summary>
    public static IReadOnlyList<TabularFrontPoint> Points(TabularTable table, IReadOnlyList<Objective> objectives, long studySeed, int epoch)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(objectives);
        var points = new List<TabularFrontPoint>(table.Configurations.Count);
        foreach (var configuration in table.Configurations)
        {
            var run = table.RunFor(configuration, studySeed);
            var values = new double[objectives.Count];
            var complete = true;
            for (var i = 0; i < objectives.Count && complete; i++)
            {
                var value = TabularTable.ValueAt(run, objectives[i].Name, epoch);
                complete = value is not null;
                values[i] = value is { } v ? objectives[i].ToMinimization(v) : double.NaN;
            }

            if (complete)
            {
                points.Add(new TabularFrontPoint(configuration, values));
            }
        }

        return points;
    }

    /// <summary>The non-dominated points among <see cref="Points"/> at the table's maximum epoch.</summary>
    public static IReadOnlyList<TabularFrontPoint> TrueFront(TabularTable table, IReadOnlyList<Objective> objectives, long studySeed)
    {
        ArgumentNullException.ThrowIfNull(table);
        var points = Points(table, objectives, studySeed, table.MaxEpoch);
        var front = NonDominatedSorting.FirstFront(points.Select(p => p.Objectives.ToArray()).ToArray());
        return front.Select(i => points[i]).ToArray();
    }

    /// <summary>
    /// The hypervolume of the true front against the study's reference point, which is given as recorded (the user's
    /// units, a maximised objective negated) and taken into minimisation space as the archive takes it, so that a
    /// log-scale objective gives the regret in the same space as the hypervolume a study found.
    /// </summary>
    public static double TrueHypervolume(TabularTable table, IReadOnlyList<Objective> objectives, IReadOnlyList<double> referencePoint, long studySeed)
    {
        ArgumentNullException.ThrowIfNull(referencePoint);
        var front = TrueFront(table, objectives, studySeed);
        return Hypervolume.Compute(front.Select(p => p.Objectives.ToArray()).ToArray(), new ObjectiveSpace(objectives).FromRecorded(referencePoint));
    }
}
