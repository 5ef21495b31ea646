using NasHpo.Core.Objectives;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Registry;

/// <summary>
/// Everything a method may build its optimizer from: the space, the budgets (Hyperband's settings, promotion
/// included), the seed, the method's own settings, and what the study knows besides (reference point, objectives,
/// cheap objectives, limits, clock). Objective values are in minimisation space.
/// </summary>
internal sealed record OptimizerContext(SearchSpace Space, HyperbandSettings Budgets, long Seed)
{
    /// <summary>What the method's <see cref="OptimizerMethod.ReadSettings"/> returned; null takes its defaults.</summary>
    public object? Settings { get; init; }

    /// <summary>The hypervolume reference point; null lets a method derive one from its observations.</summary>
    public IReadOnlyList<double>? ReferencePoint { get; init; }

    public IReadOnlyList<Objective>? Objectives { get; init; }

    /// <summary>Cheap objectives of a configuration (NaN for the expensive ones), when the workload computes them without training.</summary>
    public Func<Configuration, double[]>? CheapObjectives { get; init; }

    /// <summary>The study's stop criteria, for methods that divide them into phases.</summary>
    public OptimizerLimits Limits { get; init; } = OptimizerLimits.None;

    /// <summary>Time since the study was created (the clock the wall-clock limit counts).</summary>
    public Func<TimeSpan>? Elapsed { get; init; }
}

/// <summary>A study's stop criteria as an optimizer sees them: evaluations, wall clock, budget spent.</summary>
internal sealed record OptimizerLimits(long? MaxEvaluations = null, TimeSpan? MaxWallClock = null, double? MaxBudgetSpent = null)
{
    public static OptimizerLimits None { get; } = new();
}
