namespace NasHpo.Core.Objectives;

/// <summary>Whether smaller or larger values of an objective are better.</summary>
public enum ObjectiveDirection
{
    Minimize,
    Maximize,
}

/// <summary>
/// Cheap objectives can be computed from a configuration without training (parameter count, FLOPs);
/// expensive ones need an evaluation (validation error). MS-EHVI models only the expensive ones.
/// </summary>
public enum ObjectiveCost
{
    Expensive,
    Cheap,
}

/// <summary>One objective of a study. Internally every objective is minimised: maximised ones are negated.</summary>
public sealed record Objective(string Name, ObjectiveDirection Direction = ObjectiveDirection.Minimize, ObjectiveCost Cost = ObjectiveCost.Expensive)
{
    /// <summary>The value in minimisation space.</summary>
    public double ToMinimization(double value) => Direction == ObjectiveDirection.Minimize ? value : -value;

    /// <summary>The value as the user reads it.</summary>
    public double FromMinimization(double value) => Direction == ObjectiveDirection.Minimize ? value : -value;
}
