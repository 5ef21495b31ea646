using NasHpo.Core.Objectives;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Models;

/// <summary>
/// What the model-based optimizers (MS-EHVI, BULK &amp; CUT's constrained BO) share about objectives: which are
/// computed exactly rather than modelled, their exact values, and the hypervolume reference point.
/// </summary>
internal static class ObjectiveModelling
{
    /// <summary>
    /// True for each objective computed exactly by <paramref name="cheapObjectives"/>; all false without the callback
    /// or the objectives' descriptions. With every objective cheap nothing is modelled and the exact values alone decide.
    /// </summary>
    public static bool[] CheapMask(IReadOnlyList<Objective>? objectives, Func<Configuration, double[]>? cheapObjectives, int objectiveCount)
    {
        var mask = new bool[objectiveCount];
        if (cheapObjectives is null || objectives is null)
        {
            return mask;
        }

        if (objectives.Count != objectiveCount)
        {
            throw new InvalidOperationException($"{objectives.Count} objectives configured but results have {objectiveCount}.");
        }

        for (var m = 0; m < objectiveCount; m++)
        {
            mask[m] = objectives[m].Cost == ObjectiveCost.Cheap;
        }

        return mask;
    }

    /// <summary>The callback's values for <paramref name="configuration"/>, checked for length.</summary>
    public static double[] CheapValues(Func<Configuration, double[]> cheapObjectives, Configuration configuration, int objectiveCount)
    {
        var values = cheapObjectives(configuration);
        if (values.Length != objectiveCount)
        {
            throw new InvalidOperationException($"The cheap-objective callback returned {values.Length} values for {objectiveCount} objectives.");
        }

        return values;
    }

    /// <summary>
    /// The given reference point, or one derived from the observations: their worst value per objective plus a tenth
    /// of the range (which moves as data arrive).
    /// </summary>
    public static double[] ReferencePoint(IReadOnlyList<double>? given, IReadOnlyCollection<double[]> observed, int objectiveCount)
    {
        if (given is not null)
        {
            if (given.Count != objectiveCount)
            {
                throw new InvalidOperationException($"The reference point has {given.Count} entries but results have {objectiveCount} objectives.");
            }

            return [.. given];
        }

        var reference = new double[objectiveCount];
        for (var m = 0; m < objectiveCount; m++)
        {
            var worst = observed.Max(o => o[m]);
            var best = observed.Min(o => o[m]);
            reference[m] = worst + Math.Max(0.1 * (worst - best), 1e-9 * (1 + Math.Abs(worst)));
        }

        return reference;
    }
}
