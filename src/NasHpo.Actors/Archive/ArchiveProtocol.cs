using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Archive;

/// <summary>A completed evaluation, its objectives in the journal's recorded form (see <see cref="NasHpo.Core.Objectives.Objective"/>).</summary>
internal sealed record Evaluation(TrialId Trial, IReadOnlyList<double> Objectives);

/// <summary>Completed evaluations to archive; ones already archived are ignored.</summary>
internal sealed record ArchiveEvaluations(IReadOnlyList<Evaluation> Evaluations);

/// <summary>The archive after an update: evaluations held, hypervolume and size of the highest-budget front.</summary>
internal sealed record ArchiveUpdated(int Evaluations, double Hypervolume, int ParetoSize);

/// <summary>Asks for the highest-budget Pareto front.</summary>
internal sealed record GetParetoFront;

/// <summary>The non-dominated evaluations at the highest budget, in archive order.</summary>
internal sealed record ParetoFront(IReadOnlyList<Evaluation> Members, double Hypervolume);
