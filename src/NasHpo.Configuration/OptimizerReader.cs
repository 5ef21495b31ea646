using Akka.Configuration;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using static NasHpo.Configuration.ConfigReading;

namespace NasHpo.Configuration;

/// <summary>
/// Reads <c>study.optimizer</c>. Every method takes the common keys (its type, the budgets and their unit, Hyperband's
/// eta and bracket limit, promotion, checkpoints) and its own settings only: a key of another method is an error
/// that names the method and its keys, not a setting silently ignored.
/// </summary>
internal static class OptimizerReader
{
    /// <summary>Keys every method accepts (a comparison runs one study file with several methods).</summary>
    public static IReadOnlyList<string> CommonKeys { get; } =
        ["type", "eta", "min-budget", "max-budget", "max-open-brackets", "promotion", "continue-from-checkpoint", "budget-unit"];

    private static readonly string[] TreeParzenKeys = ["random-fraction", "good-fraction", "candidates", "bandwidth-factor", "min-points-in-model"];

    /// <summary>Each method's own keys, beyond <see cref="CommonKeys"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> MethodKeys { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["random"] = [],
        ["hyperband"] = [],
        ["bohb"] = TreeParzenKeys,
        ["mo-bohb"] = TreeParzenKeys,
        ["sh-emoa"] = ["population-size", "first-step-evaluations", "tournament-size", "mutated-parameters", "mutation-stddev", "mutation-probability"],
        ["ms-ehvi"] = [],
        ["bulk-and-cut"] = ["phase-shares", "epsilon", "hyperparameters"],
        ["mo-bananas"] =
        [
            "ensemble-size", "parents", "candidates", "mutation-stddev", "random-fraction", "min-points-in-model",
            "predictor-layers", "predictor-units", "predictor-epochs", "predictor-batch-size", "predictor-learning-rate",
        ],
    };

    /// <summary>Every key <paramref name="type"/> accepts.</summary>
    public static IReadOnlyList<string> KeysOf(string type) => [.. CommonKeys, .. MethodKeys[type]];

    public static OptimizerDefinition Read(Config study)
    {
        if (!study.HasPath("optimizer"))
        {
            throw new ConfigurationException("study.optimizer", "missing (for example: optimizer { type = mo-bohb, min-budget = 1, max-budget = 27 })");
        }

        var optimizer = study.GetConfig("optimizer");
        var type = RequireString(optimizer, "type", "study.optimizer.type");
        if (!OptimizerFactory.Names.Contains(type, StringComparer.Ordinal))
        {
            // An unknown key is named before an unknown type would be: either way, one line.
            RejectUnknownKeys(optimizer, "study.optimizer", [.. CommonKeys, .. MethodKeys.Values.SelectMany(k => k).Distinct()]);
            throw new ConfigurationException("study.optimizer.type", $"unknown optimizer \"{type}\" (expected one of: {string.Join(", ", OptimizerFactory.Names)})");
        }

        RejectUnknownKeys(optimizer, "study.optimizer", KeysOf(type), type);

        var eta = ReadDouble(optimizer, "eta", "study.optimizer.eta", 3);
        if (eta <= 1)
        {
            throw new ConfigurationException("study.optimizer.eta", $"{Format(eta)} must be greater than 1");
        }

        var maxBudget = ReadDouble(optimizer, "max-budget", "study.optimizer.max-budget", 1);
        var minBudget = ReadDouble(optimizer, "min-budget", "study.optimizer.min-budget", maxBudget);
        if (minBudget <= 0)
        {
            throw new ConfigurationException("study.optimizer.min-budget", $"{Format(minBudget)} must be positive");
        }

        if (maxBudget < minBudget)
        {
            throw new ConfigurationException("study.optimizer.max-budget", $"{Format(maxBudget)} is below min-budget {Format(minBudget)}");
        }

        var promotion = ReadPromotion(optimizer, type);

        TreeParzenSettings? sampler = null;
        if (type is "bohb" or "mo-bohb")
        {
            var defaults = (type == "bohb" ? TreeParzenSampler.Bohb() : TreeParzenSampler.MoBohb()).Settings;
            sampler = defaults with
            {
                RandomFraction = ReadDouble(optimizer, "random-fraction", "study.optimizer.random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
                GoodFraction = ReadDouble(optimizer, "good-fraction", "study.optimizer.good-fraction", defaults.GoodFraction, minimum: 1e-9, maximum: 1 - 1e-9),
                Candidates = (int)ReadLong(optimizer, "candidates", "study.optimizer.candidates", defaults.Candidates, minimum: 1),
                BandwidthFactor = ReadDouble(optimizer, "bandwidth-factor", "study.optimizer.bandwidth-factor", defaults.BandwidthFactor, minimum: 1e-9),
                MinPointsInModel = optimizer.HasPath("min-points-in-model")
                    ? (int)ReadLong(optimizer, "min-points-in-model", "study.optimizer.min-points-in-model", 0, minimum: 1)
                    : null,
            };
        }

        var shEmoa = type == "sh-emoa" ? ReadShEmoa(optimizer) : null;
        var moBananas = type == "mo-bananas" ? ReadMoBananas(optimizer) : null;
        var maxOpen = (int)ReadLong(optimizer, "max-open-brackets", "study.optimizer.max-open-brackets", int.MaxValue, minimum: 1);
        var continueFromCheckpoint = !optimizer.HasPath("continue-from-checkpoint") || ReadBoolean(optimizer, "continue-from-checkpoint", "study.optimizer.continue-from-checkpoint");
        var budgetUnit = optimizer.HasPath("budget-unit") ? RequireString(optimizer, "budget-unit", "study.optimizer.budget-unit") : OptimizerDefinition.Epochs;
        if (!OptimizerDefinition.BudgetUnits.Contains(budgetUnit, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.optimizer.budget-unit", $"unknown unit \"{budgetUnit}\" (expected one of: {string.Join(", ", OptimizerDefinition.BudgetUnits)})");
        }

        return new OptimizerDefinition(type, eta, minBudget, maxBudget, sampler, maxOpen, continueFromCheckpoint, budgetUnit, promotion)
        {
            BulkAndCut = type == "bulk-and-cut" ? ReadBulkAndCut(optimizer) : null,
            ShEmoa = shEmoa,
            MoBananas = moBananas,
        };
    }

    private static BulkAndCutDefinition ReadBulkAndCut(Config optimizer)
    {
        double[] shares = [0.35, 0.40, 0.25];
        if (optimizer.HasPath("phase-shares"))
        {
            shares = ReadNumbers(optimizer, "phase-shares", "study.optimizer.phase-shares");
            if (shares.Length != 3 || shares.Any(s => s is < 0 or > 1) || Math.Abs(shares.Sum() - 1) > 1e-9)
            {
                throw new ConfigurationException(
                    "study.optimizer.phase-shares",
                    $"[{string.Join(", ", shares.Select(Format))}] must be three shares in [0, 1] (initialisation, bulk-up, cut-down) that sum to 1");
            }
        }

        var epsilon = ReadDouble(optimizer, "epsilon", "study.optimizer.epsilon", 0.15, minimum: 0, maximum: 1);
        IReadOnlyList<string>? hyperparameters = null;
        if (optimizer.HasPath("hyperparameters"))
        {
            if (!HoconReading.IsList(optimizer.GetValue("hyperparameters")))
            {
                throw new ConfigurationException("study.optimizer.hyperparameters", $"expected a list of parameter names, got {HoconReading.Show(optimizer.GetValue("hyperparameters"))}");
            }

            hyperparameters = optimizer.GetStringList("hyperparameters").ToArray();
        }

        return new BulkAndCutDefinition(shares, epsilon, hyperparameters);
    }

    private static PromotionMode ReadPromotion(Config optimizer, string type)
    {
        if (!optimizer.HasPath("promotion"))
        {
            return PromotionMode.Synchronous;
        }

        var text = RequireString(optimizer, "promotion", "study.optimizer.promotion");
        var index = OptimizerDefinition.PromotionModes.ToList().IndexOf(text);
        if (index < 0)
        {
            throw new ConfigurationException("study.optimizer.promotion", $"unknown mode \"{text}\" (expected one of: {string.Join(", ", OptimizerDefinition.PromotionModes)})");
        }

        var mode = (PromotionMode)index;
        if (mode == PromotionMode.Asynchronous && !OptimizerFactory.PromotesAlongRungs(type))
        {
            throw new ConfigurationException(
                "study.optimizer.promotion",
                $"\"{text}\" does not apply to {type} (asynchronous promotion is for: {string.Join(", ", OptimizerFactory.Names.Where(OptimizerFactory.PromotesAlongRungs))})");
        }

        return mode;

    }

    /// <summary>SH-EMOA's settings (paper 001, B.1), each defaulting to <see cref="ShEmoaSettings"/>'s value.</summary>
    private static ShEmoaSettings ReadShEmoa(Config optimizer)
    {
        var defaults = new ShEmoaSettings();
        var population = (int)ReadLong(optimizer, "population-size", "study.optimizer.population-size", defaults.PopulationSize, minimum: 1, maximum: int.MaxValue);
        var firstStep = (int)ReadLong(optimizer, "first-step-evaluations", "study.optimizer.first-step-evaluations", Math.Max(defaults.FirstStepEvaluations, population), minimum: 1, maximum: int.MaxValue);
        if (firstStep < population)
        {
            throw new ConfigurationException("study.optimizer.first-step-evaluations", $"{firstStep} is below population-size {population} (the first step evaluates the initial population)");
        }

        return defaults with
        {
            PopulationSize = population,
            FirstStepEvaluations = firstStep,
            TournamentSize = (int)ReadLong(optimizer, "tournament-size", "study.optimizer.tournament-size", defaults.TournamentSize, minimum: 1, maximum: int.MaxValue),
            MutatedParameters = (int)ReadLong(optimizer, "mutated-parameters", "study.optimizer.mutated-parameters", defaults.MutatedParameters, minimum: 1, maximum: int.MaxValue),
            MutationStdDev = ReadDouble(optimizer, "mutation-stddev", "study.optimizer.mutation-stddev", defaults.MutationStdDev, minimum: 0, maximum: 1),
            MutationProbability = ReadDouble(optimizer, "mutation-probability", "study.optimizer.mutation-probability", defaults.MutationProbability, minimum: 0, maximum: 1),
        };
    }

    /// <summary>MO-BANANAS' settings (paper 001, B.4), each defaulting to <see cref="MoBananasSettings"/>'s value.</summary>
    private static MoBananasSettings ReadMoBananas(Config optimizer)
    {
        var defaults = new MoBananasSettings();
        return defaults with
        {
            EnsembleSize = (int)ReadLong(optimizer, "ensemble-size", "study.optimizer.ensemble-size", defaults.EnsembleSize, minimum: 1, maximum: 100),
            Parents = (int)ReadLong(optimizer, "parents", "study.optimizer.parents", defaults.Parents, minimum: 1, maximum: int.MaxValue),
            Candidates = (int)ReadLong(optimizer, "candidates", "study.optimizer.candidates", defaults.Candidates, minimum: 1, maximum: 1_000_000),
            MutationStdDev = ReadDouble(optimizer, "mutation-stddev", "study.optimizer.mutation-stddev", defaults.MutationStdDev, minimum: 1e-9, maximum: 1),
            RandomFraction = ReadDouble(optimizer, "random-fraction", "study.optimizer.random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
            MinPointsInModel = optimizer.HasPath("min-points-in-model")
                ? (int)ReadLong(optimizer, "min-points-in-model", "study.optimizer.min-points-in-model", 0, minimum: 2, maximum: int.MaxValue)
                : null,
            Predictor = defaults.Predictor with
            {
                HiddenLayers = (int)ReadLong(optimizer, "predictor-layers", "study.optimizer.predictor-layers", defaults.Predictor.HiddenLayers, minimum: 1, maximum: 100),
                HiddenUnits = (int)ReadLong(optimizer, "predictor-units", "study.optimizer.predictor-units", defaults.Predictor.HiddenUnits, minimum: 1, maximum: 10_000),
                Epochs = (int)ReadLong(optimizer, "predictor-epochs", "study.optimizer.predictor-epochs", defaults.Predictor.Epochs, minimum: 1, maximum: 1_000_000),
                BatchSize = (int)ReadLong(optimizer, "predictor-batch-size", "study.optimizer.predictor-batch-size", defaults.Predictor.BatchSize, minimum: 1, maximum: int.MaxValue),
                LearningRate = ReadDouble(optimizer, "predictor-learning-rate", "study.optimizer.predictor-learning-rate", defaults.Predictor.LearningRate, minimum: 1e-12, maximum: 10),
            },
        };
    }
}
