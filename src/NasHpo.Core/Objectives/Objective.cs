using System.Globalization;

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

/// <summary>
/// The scale an objective is optimised on. <see cref="Log"/> works with log10 of the value, as paper 001 did with
/// the parameter count: on the raw count every network below a few thousand parameters is squeezed against zero,
/// and hypervolume-based decisions cannot tell them apart.
/// </summary>
public enum ObjectiveScale
{
    Linear,
    Log,
}

/// <summary>
/// One objective of a study. Three forms of a value:
/// <list type="bullet">
/// <item>the user's: as the workload reports it (CSV files, the study file's reference point);</item>
/// <item>the recorded one: what the journal holds, the user's value negated when it is maximised and never
/// rescaled (the form every version has written, so a journal reads the same whatever scale a later definition
/// declares);</item>
/// <item>minimisation space: the recorded value with the scale applied (log10 of the user's value, negated when
/// maximised). Optimizers, promotion, the hypervolume, the Pareto archive and plots work here.</item>
/// </list>
/// </summary>
public sealed record Objective(
    string Name,
    ObjectiveDirection Direction = ObjectiveDirection.Minimize,
    ObjectiveCost Cost = ObjectiveCost.Expensive,
    ObjectiveScale Scale = ObjectiveScale.Linear)
{
    private double Sign => Direction == ObjectiveDirection.Minimize ? 1.0 : -1.0;

    /// <summary>The user's value in minimisation space (log10 first on a log scale; NaN for a non-positive value there).</summary>
    internal double ToMinimization(double value) => Sign * Scaled(value);

    /// <summary>The user's value of a point in minimisation space.</summary>
    internal double FromMinimization(double value) => Unscaled(Sign * value);

    /// <summary>The user's value as the journal records it.</summary>
    internal double ToRecorded(double value) => Sign * value;

    /// <summary>The user's value of a recorded one.</summary>
    internal double FromRecorded(double recorded) => Sign * recorded;

    /// <summary>A recorded value in minimisation space.</summary>
    internal double RecordedToMinimization(double recorded) => ToMinimization(FromRecorded(recorded));

    /// <summary>
    /// Why a value the workload reported cannot be used, or null: it must be finite, and positive on a log scale
    /// (log10 of zero or less has no value).
    /// </summary>
    internal string? Refusal(double value) =>
        !double.IsFinite(value) ? string.Create(CultureInfo.InvariantCulture, $"objective {Name} is {value}")
        : Scale == ObjectiveScale.Log && !(value > 0) ? string.Create(CultureInfo.InvariantCulture, $"objective {Name} is {value:R}, but it is declared on a log scale (scale = log), which needs a positive value")
        : null;

    private double Scaled(double value) => Scale == ObjectiveScale.Log ? (value > 0 ? Math.Log10(value) : double.NaN) : value;

    private double Unscaled(double value) => Scale == ObjectiveScale.Log ? Math.Pow(10, value) : value;
}
