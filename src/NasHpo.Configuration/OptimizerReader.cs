using Akka.Configuration;
using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using static NasHpo.Configuration.ConfigReading;

namespace NasHpo.Configuration;

/// <summary>
/// Reads <c>study.optimizer</c>. Every method takes the common keys (its type, the budgets and their unit, Hyperband's
/// eta and bracket limit, promotion, checkpoints) and its own settings only (<see cref="OptimizerMethod.Keys"/>, read by
/// the method itself through <see cref="HoconSettingsReader"/>): a key of another method is an error that names the
/// method and its keys, not a setting silently ignored.
/// </summary>
internal static class OptimizerReader
{
    /// <summary>Keys every method accepts (a comparison runs one study file with several methods).</summary>
    public static IReadOnlyList<string> CommonKeys { get; } =
        ["type", "eta", "min-budget", "max-budget", "max-open-brackets", "promotion", "promotion-ranking", "continue-from-checkpoint", "budget-unit"];

    /// <summary>Every key <paramref name="method"/> accepts.</summary>
    public static IReadOnlyList<string> KeysOf(OptimizerMethod method) => [.. CommonKeys, .. method.Keys];

    public static OptimizerDefinition Read(Config study, OptimizerRegistry registry)
    {
        if (!study.HasPath("optimizer"))
        {
            throw new ConfigurationException("study.optimizer", "missing (for example: optimizer { type = mo-bohb, min-budget = 1, max-budget = 27 })");
        }

        var optimizer = study.GetConfig("optimizer");
        var type = RequireString(optimizer, "type", "study.optimizer.type");
        if (registry.TryFind(type) is not { } method)
        {
            // An unknown key is named before an unknown type would be: either way, one line.
            RejectUnknownKeys(optimizer, "study.optimizer", [.. CommonKeys, .. registry.Methods.SelectMany(m => m.Keys).Distinct()]);
            throw new ConfigurationException("study.optimizer.type", $"unknown optimizer \"{type}\" (expected one of: {string.Join(", ", registry.Names)})");
        }

        RejectUnknownKeys(optimizer, "study.optimizer", KeysOf(method), type);

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

        CheckBracketCount(eta, minBudget, maxBudget);
        var promotion = ReadPromotion(optimizer, method, registry);
        var ranking = ReadRanking(optimizer);
        var maxOpen = (int)ReadLong(optimizer, "max-open-brackets", "study.optimizer.max-open-brackets", int.MaxValue, minimum: 1, maximum: int.MaxValue);
        var continueFromCheckpoint = !optimizer.HasPath("continue-from-checkpoint") || ReadBoolean(optimizer, "continue-from-checkpoint", "study.optimizer.continue-from-checkpoint");
        var budgetUnit = optimizer.HasPath("budget-unit") ? RequireString(optimizer, "budget-unit", "study.optimizer.budget-unit") : OptimizerDefinition.Epochs;
        if (!OptimizerDefinition.BudgetUnits.Contains(budgetUnit, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.optimizer.budget-unit", $"unknown unit \"{budgetUnit}\" (expected one of: {string.Join(", ", OptimizerDefinition.BudgetUnits)})");
        }

        return new OptimizerDefinition(method, eta, minBudget, maxBudget, maxOpen, continueFromCheckpoint, budgetUnit, promotion)
        {
            Ranking = ranking,
            Settings = method.ReadSettings(new HoconSettingsReader(optimizer, "study.optimizer")),
        };
    }

    /// <summary>The most brackets a Hyperband schedule may have (budgets 1 to 3^63 at η = 3; papers use 4 or 5).</summary>
    public const int MaxBrackets = 64;

    /// <summary>
    /// Refuses a schedule no machine can run: ⌊log_η(max/min)⌋ + 1 brackets beyond <see cref="MaxBrackets"/> (an η a
    /// hair above 1, or budgets hundreds of orders of magnitude apart). Blames η when η = 3 would fit, else the budgets.
    /// </summary>
    private static void CheckBracketCount(double eta, double minBudget, double maxBudget)
    {
        var ratio = Math.Log(maxBudget / minBudget);
        var brackets = Math.Floor((ratio / Math.Log(eta)) + 1e-9) + 1;
        if (brackets <= MaxBrackets)
        {
            return;
        }

        var withDefaultEta = Math.Floor((ratio / Math.Log(3)) + 1e-9) + 1;
        throw withDefaultEta <= MaxBrackets
            ? new ConfigurationException("study.optimizer.eta", $"{Format(eta)} with budgets {Format(minBudget)} to {Format(maxBudget)} makes {brackets:G3} brackets; the limit is {MaxBrackets} brackets (a larger eta, such as 3, needs fewer)")
            : new ConfigurationException("study.optimizer.min-budget", $"{Format(minBudget)} to max-budget {Format(maxBudget)} makes {brackets:G3} brackets at eta {Format(eta)}; the limit is {MaxBrackets} brackets");
    }

    private static PromotionRanking ReadRanking(Config optimizer)
    {
        if (!optimizer.HasPath("promotion-ranking"))
        {
            return OptimizerDefinition.DefaultRanking;
        }

        var text = RequireString(optimizer, "promotion-ranking", "study.optimizer.promotion-ranking");
        var index = OptimizerDefinition.PromotionRankings.ToList().IndexOf(text);
        return index >= 0
            ? (PromotionRanking)index
            : throw new ConfigurationException("study.optimizer.promotion-ranking", $"unknown ranking \"{text}\" (expected one of: {string.Join(", ", OptimizerDefinition.PromotionRankings)})");
    }

    private static PromotionMode ReadPromotion(Config optimizer, OptimizerMethod method, OptimizerRegistry registry)
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
        if (mode == PromotionMode.Asynchronous && !method.PromotesAlongRungs)
        {
            throw new ConfigurationException(
                "study.optimizer.promotion",
                $"\"{text}\" does not apply to {method.Name} (asynchronous promotion is for: {string.Join(", ", registry.Methods.Where(m => m.PromotesAlongRungs).Select(m => m.Name))})");
        }

        return mode;
    }
}
