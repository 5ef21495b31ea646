using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>The optimizer a study runs and its multi-fidelity budgets (<c>study.optimizer</c>).</summary>
public sealed record OptimizerDefinition(string Type, double Eta, double MinBudget, double MaxBudget, TreeParzenSettings? Sampler, int MaxOpenBrackets);

/// <summary>When a study ends (<c>study.stop</c>); at least one criterion is set.</summary>
public sealed record StopCriteria(int? MaxEvaluations, TimeSpan? MaxWallClock);

/// <summary>The workload trials evaluate (<c>study.problem</c>).</summary>
public sealed record ProblemDefinition(string Type, int Dimensions, int Objectives, TimeSpan Delay, double NoiseScale);

/// <summary>
/// A validated study: everything the engine needs to run it, plus the resolved HOCON text it was read from, which
/// the journal keeps so that a resumed study runs exactly the definition it started with.
/// </summary>
public sealed record StudyDefinition
{
    public required string Name { get; init; }

    public required long Seed { get; init; }

    public required int Devices { get; init; }

    public required OptimizerDefinition Optimizer { get; init; }

    public required StopCriteria Stop { get; init; }

    public required ProblemDefinition Problem { get; init; }

    public required IReadOnlyList<Objective> Objectives { get; init; }

    public required IReadOnlyList<double> ReferencePoint { get; init; }

    public required SearchSpace Space { get; init; }

    /// <summary>The study's resolved configuration as HOCON (the <c>study</c> section, every layer applied).</summary>
    public required string Hocon { get; init; }
}
