using System.Globalization;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>One configuration at one budget: the unit the engine schedules, runs and records exactly once.</summary>
public readonly record struct TrialId(long ConfigurationId, double Budget)
{
    /// <summary>"trial-{n}-b{budget}": the actor name and the ledger key; stable across processes.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"trial-{ConfigurationId}-b{Budget:R}");
}

/// <summary>
/// What an optimizer wants run next. <paramref name="Parent"/> is the same configuration at the budget below,
/// whose checkpoint a promoted trial may continue from.
/// </summary>
public sealed record TrialRequest(TrialId Id, Configuration Configuration, long Bracket, int Rung, TrialId? Parent);

/// <summary>
/// The outcome of a trial: objective values in minimisation space (one per objective), or the reason it failed.
/// </summary>
public sealed record TrialResult(TrialId Id, IReadOnlyList<double>? Objectives, string? FailureReason = null)
{
    public bool Failed => Objectives is null;

    public static TrialResult Completed(TrialId id, IReadOnlyList<double> objectives) => new(id, objectives);

    public static TrialResult Failure(TrialId id, string reason) => new(id, null, reason);
}
