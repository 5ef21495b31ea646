using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Sampling;

/// <summary>
/// Asks for up to <paramref name="Count"/> trials to run. <paramref name="InFlight"/> lists the trials the study
/// already runs, so that proposals made before a crash and never scheduled are offered again, and nothing twice.
/// <paramref name="FinishedCount"/> lets the sampler notice that it missed results (it restarted) and ask for them.
/// </summary>
internal sealed record RequestTrials(long Correlation, int Count, IReadOnlyCollection<TrialId> InFlight, int FinishedCount);

/// <summary>The answer to <see cref="RequestTrials"/>: trials to schedule, which brackets are still open, and whether the optimizer is done.</summary>
internal sealed record TrialsOffered(long Correlation, IReadOnlyList<TrialRequest> Trials, IReadOnlyCollection<long> OpenBrackets, bool Finished);

/// <summary>The sampler has seen fewer results than the study finished: the study must send them again.</summary>
internal sealed record ResultsMissing(long Correlation, int Observed);

/// <summary>Results for the optimizer; ones already seen are ignored.</summary>
internal sealed record ObserveResults(IReadOnlyList<TrialResult> Results);
