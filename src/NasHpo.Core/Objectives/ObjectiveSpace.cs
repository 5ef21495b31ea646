namespace NasHpo.Core.Objectives;

/// <summary>
/// A study's objectives taken together: turns recorded points (the journal's form, see <see cref="Objective"/>)
/// into minimisation space. With every objective linear that is the identity, so a study without a log scale
/// computes exactly what it computed before scales existed.
/// </summary>
internal sealed class ObjectiveSpace
{
    private readonly Objective[] _objectives;

    public ObjectiveSpace(IReadOnlyList<Objective> objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        _objectives = objectives.ToArray();
        IsLinear = _objectives.All(o => o.Scale == ObjectiveScale.Linear);
    }

    public IReadOnlyList<Objective> Objectives => _objectives;

    /// <summary>True when no objective is rescaled: recorded points are already in minimisation space.</summary>
    public bool IsLinear { get; }

    /// <summary>A recorded point (trial result or reference point) in minimisation space.</summary>
    public double[] FromRecorded(IReadOnlyList<double> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (IsLinear || recorded.Count != _objectives.Length)
        {
            // A point of another length is left for the caller's own checks to refuse.
            return recorded.ToArray();
        }

        var point = new double[recorded.Count];
        for (var i = 0; i < point.Length; i++)
        {
            point[i] = _objectives[i].RecordedToMinimization(recorded[i]);
        }

        return point;
    }

    /// <summary>A point in minimisation space as the user reads it.</summary>
    public double[] ToUser(IReadOnlyList<double> minimized)
    {
        ArgumentNullException.ThrowIfNull(minimized);
        return minimized.Select((value, i) => _objectives[i].FromMinimization(value)).ToArray();
    }

    /// <summary>A recorded point as the user reads it.</summary>
    public double[] RecordedToUser(IReadOnlyList<double> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.Select((value, i) => _objectives[i].FromRecorded(value)).ToArray();
    }
}
