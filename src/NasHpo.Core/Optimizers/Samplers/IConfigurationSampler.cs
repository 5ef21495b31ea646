using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Samplers;

/// <summary>What a sampler may use to propose a configuration. The random generator is derived for this suggestion.</summary>
public sealed record SamplingContext(SearchSpace Space, ObservationHistory History, long SuggestionIndex, double Budget, Random Random);

/// <summary>Proposes new configurations: uniformly, or from a model of the observations (TPE, MOTPE, ...).</summary>
public interface IConfigurationSampler
{
    Configuration Sample(SamplingContext context);
}

/// <summary>Uniform sampling over the space: random search and Hyperband's proposals.</summary>
public sealed class RandomSampler : IConfigurationSampler
{
    public static readonly RandomSampler Instance = new();

    public Configuration Sample(SamplingContext context) => context.Space.Sample(context.Random);
}
