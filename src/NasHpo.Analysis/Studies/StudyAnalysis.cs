using NasHpo.Analysis.Importance;

namespace NasHpo.Analysis.Studies;

/// <summary>Paper 000's analyses of one study: parameter importance per budget and objective, and how budgets agree.</summary>
/// <param name="MinimumTrials">completed trials a budget needs before its importance is estimated</param>
internal sealed record StudyAnalysis(int MinimumTrials, IReadOnlyList<ImportanceAtBudget> Importance, IReadOnlyList<BudgetCorrelation> Correlations)
{
    public static StudyAnalysis Empty { get; } = new(0, [], []);
}

/// <summary>The importance of each parameter for one objective at one budget (fANOVA), highest first.</summary>
internal sealed record ImportanceAtBudget(string Objective, double Budget, int Trials, IReadOnlyList<ParameterImportance> Parameters);

/// <summary>Spearman's rank correlation of one objective between the configurations evaluated at two budgets.</summary>
internal sealed record BudgetCorrelation(string Objective, double LowerBudget, double HigherBudget, int Count, double Rho);
