using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Samplers;

/// <summary>What a sampler may use to propose a configuration. The random generator is derived for this suggestion.</summary>
internal sealed record SamplingContext(SearchSpace Space, ObservationHistory History, long SuggestionIndex, double Budget, Random Random);

/// <summary>Proposes new configurations: uniformly, or from a model of the observations (TPE, MOTPE, ...).</summary>
internal interface IConfigurationSampler
{
    Configuration Sample(SamplingContext context);
}

/// <summary>Uniform sampling over the space: random search and Hyperband's proposals.</summary>
internal sealed class RandomSampler : IConfigurationSampler
{
    public static readonly RandomSampler Instance = new();

    public Configuration Sample(SamplingContext context) => context.Space.Sample(context.Random);
}
