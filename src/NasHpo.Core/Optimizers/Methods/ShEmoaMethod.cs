using NasHpo.Core.Optimizers.Registry;

namespace NasHpo.Core.Optimizers.Methods;

/// <summary>SH-EMOA (paper 001, B.1): an evolutionary population promoted in successive-halving steps between the budgets.</summary>
internal sealed class ShEmoaMethod : OptimizerMethod<ShEmoaSettings>
{
    public override string Name => "sh-emoa";

    public override IReadOnlyList<string> Keys { get; } =
        ["population-size", "first-step-evaluations", "tournament-size", "mutated-parameters", "mutation-stddev", "mutation-probability"];

    public override ShEmoaSettings Defaults => new();

    protected override ShEmoaSettings Read(IOptimizerSettingsReader reader, ShEmoaSettings defaults)
    {
        var population = (int)reader.ReadInteger("population-size", defaults.PopulationSize, minimum: 1, maximum: int.MaxValue);
        var firstStep = (int)reader.ReadInteger("first-step-evaluations", Math.Max(defaults.FirstStepEvaluations, population), minimum: 1, maximum: int.MaxValue);
        if (firstStep < population)
        {
            throw reader.Invalid("first-step-evaluations", $"{firstStep} is below population-size {population} (the first step evaluates the initial population)");
        }

        return defaults with
        {
            PopulationSize = population,
            FirstStepEvaluations = firstStep,
            TournamentSize = (int)reader.ReadInteger("tournament-size", defaults.TournamentSize, minimum: 1, maximum: int.MaxValue),
            MutatedParameters = (int)reader.ReadInteger("mutated-parameters", defaults.MutatedParameters, minimum: 1, maximum: int.MaxValue),
            MutationStdDev = reader.ReadDouble("mutation-stddev", defaults.MutationStdDev, minimum: 0, maximum: 1),
            MutationProbability = reader.ReadDouble("mutation-probability", defaults.MutationProbability, minimum: 0, maximum: 1),
        };
    }

    protected override IOptimizer Create(OptimizerContext context, ShEmoaSettings settings) =>
        new ShEmoaOptimizer(context.Space, context.Budgets, settings, context.Seed, context.ReferencePoint);
}
