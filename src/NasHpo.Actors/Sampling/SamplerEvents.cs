using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Sampling;

/// <summary>Facts of the sampler journal ("sampler-{id}"): the optimizer's decisions and the results it has seen.</summary>
internal interface ISamplerEvent;

/// <summary>The optimizer decided this trial; recovery applies it again instead of sampling anew.</summary>
internal sealed record TrialProposed(TrialRequest Request) : ISamplerEvent;

/// <summary>The optimizer took this result into account.</summary>
internal sealed record ResultObserved(TrialResult Result) : ISamplerEvent;

/// <summary>The sampler's facts in order, compacted into one record so that recovery reads one row instead of thousands.</summary>
internal sealed record SamplerSnapshot(IReadOnlyList<ISamplerEvent> Facts);
