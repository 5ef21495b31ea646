using System.Globalization;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers;

/// <summary>One configuration at one budget: the unit the engine schedules, runs and records exactly once.</summary>
internal readonly record struct TrialId(long ConfigurationId, double Budget)
{
    /// <summary>"trial-{n}-b{budget}": the actor name and the ledger key; stable across processes.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"trial-{ConfigurationId}-b{Budget:R}");
}

/// <summary>
/// What an optimizer wants run next. <paramref name="Parent"/> is the same configuration at the budget below,
/// whose checkpoint a promoted trial may continue from. <paramref name="Lineage"/> is set when the configuration
/// was made from another one (BULK &amp; CUT's morphisms and pruning): the trial it came from and how.
/// </summary>
internal sealed record TrialRequest(TrialId Id, Configuration Configuration, long Bracket, int Rung, TrialId? Parent, TrialLineage? Lineage = null);

/// <summary>
/// Where a configuration came from: the <paramref name="ParentTrial"/> (another configuration) whose trained network
/// a workload turns into this one by <paramref name="Operation"/>, so that the child inherits the parent's weights.
/// The parent's configuration travels with it, so a workload can rebuild the parent's network from the request alone.
/// </summary>
/// <param name="ParentTrial">the trial whose trained network the child starts from</param>
/// <param name="ParentConfiguration">the parent's configuration</param>
/// <param name="Operation">
/// "{kind} {parameter}", for example "wider filters_2", "deeper fc_layers", "prune units_1" (see
/// <see cref="BulkAndCut.Morphism"/>); a workload that cannot operate on networks trains the child from scratch.
/// </param>
internal sealed record TrialLineage(TrialId ParentTrial, Configuration ParentConfiguration, string Operation);

/// <summary>
/// The outcome of a trial: objective values in minimisation space (one per objective), or the reason it failed.
/// </summary>
internal sealed record TrialResult(TrialId Id, IReadOnlyList<double>? Objectives, string? FailureReason = null)
{
    public bool Failed => Objectives is null;

    public static TrialResult Completed(TrialId id, IReadOnlyList<double> objectives) => new(id, objectives);

    public static TrialResult Failure(TrialId id, string reason) => new(id, null, reason);
}
