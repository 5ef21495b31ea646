using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Archive;

/// <summary>
/// A completed evaluation entered the Pareto archive ("pareto-{id}"), with the hypervolume of the highest-budget
/// front right after it: the hypervolume history is a fact of its time and is never recomputed on replay.
/// </summary>
internal sealed record EvaluationArchived(TrialId Trial, IReadOnlyList<double> Objectives, TimeSpan Elapsed, double Hypervolume);

/// <summary>Every archived evaluation in order.</summary>
internal sealed record ArchiveSnapshot(IReadOnlyList<EvaluationArchived> Evaluations);
