namespace NasHpo.Analysis.Studies;

/// <summary>Paper 000's analyses of one study: parameter importance per budget and objective, and how budgets agree.</summary>
/// <param name="MinimumTrials">completed trials a budget needs before its importance is estimated</param>
public sealed record StudyAnalysis(int MinimumTrials, IReadOnlyList<BudgetImportance> Importance, IReadOnlyList<BudgetCorrelation> Correlations)
{
    public static StudyAnalysis Empty { get; } = new(0, [], []);
}

/// <summary>The importance of each parameter for one objective at one budget (fANOVA), highest first.</summary>
public sealed record BudgetImportance(string Objective, double Budget, int Trials, IReadOnlyList<ParameterImportance> Parameters);

/// <summary>A parameter's share of the variance of the objective (its main effect), mean and standard deviation over the forest's trees.</summary>
public sealed record ParameterImportance(string Parameter, double Importance, double StandardDeviation);

/// <summary>Spearman's rank correlation of one objective between the configurations evaluated at two budgets.</summary>
public sealed record BudgetCorrelation(string Objective, double LowerBudget, double HigherBudget, int Count, double Rho);
