using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Importance;

/// <summary>
/// One completed trial as a report or the dashboard holds it: which configuration, at which budget, and its objective
/// values in minimisation form (one per objective, in the study's order). Failed trials have no values and are left out.
/// </summary>
internal sealed record CompletedTrial(long ConfigurationId, double Budget, Core.SearchSpaces.Configuration Configuration, IReadOnlyList<double> Objectives);

/// <summary>fANOVA for one objective over the trials of one budget.</summary>
internal sealed record BudgetImportance(int Objective, double Budget, FanovaResult Result);

/// <summary>The rank correlations across every pair of budgets for one objective.</summary>
internal sealed record ObjectiveRankCorrelations(int Objective, IReadOnlyList<BudgetRankCorrelation> Pairs);

/// <summary>
/// Paper 000's analyses of one study. <paramref name="Importances"/> by objective, then budget ascending, holding only
/// budgets with enough trials; <paramref name="RankCorrelations"/> one entry per objective.
/// </summary>
internal sealed record StudyImportanceReport(IReadOnlyList<BudgetImportance> Importances, IReadOnlyList<ObjectiveRankCorrelations> RankCorrelations);

/// <summary>
/// The facade the report and the dashboard call: from a study's completed trials, per objective the parameter
/// importance at each budget (<see cref="Fanova"/>) and the rank correlation across budgets
/// (<see cref="BudgetRankCorrelations"/>).
/// </summary>
internal static class StudyImportance
{
    /// <summary>
    /// fANOVA on fewer trials than this says more about the forest than the objective; paper 000's budgets with a
    /// handful of top-rung trials are skipped rather than shown as noise.
    /// </summary>
    public const int DefaultMinimumTrialsPerBudget = 10;

    /// <summary>
    /// Analyses every objective. A trial whose value for an objective is not finite is left out of that objective's
    /// analyses. Every budget is analysed with the same options (and so the same seed).
    /// </summary>
    public static StudyImportanceReport Analyse(
        SearchSpace space,
        IReadOnlyList<CompletedTrial> trials,
        FanovaOptions? options = null,
        int minimumTrialsPerBudget = DefaultMinimumTrialsPerBudget)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumTrialsPerBudget, 2);
        if (trials.Count == 0)
        {
            return new StudyImportanceReport([], []);
        }

        var objectiveCount = trials[0].Objectives.Count;
        if (trials.Any(t => t.Objectives.Count != objectiveCount))
        {
            throw new ArgumentException($"every trial needs {objectiveCount} objective values, as the first has", nameof(trials));
        }

        var importances = new List<BudgetImportance>();
        var correlations = new List<ObjectiveRankCorrelations>();
        for (var objective = 0; objective < objectiveCount; objective++)
        {
            var finite = trials.Where(t => double.IsFinite(t.Objectives[objective])).ToArray();
            foreach (var budget in finite.GroupBy(t => t.Budget).Where(g => g.Count() >= minimumTrialsPerBudget).OrderBy(g => g.Key))
            {
                var index = objective;
                var rows = budget.Select(t => new ScoredConfiguration(t.Configuration, t.Objectives[index])).ToArray();
                importances.Add(new BudgetImportance(objective, budget.Key, Fanova.Analyse(space, rows, options)));
            }

            var values = finite.Select(t => new BudgetValue(t.ConfigurationId, t.Budget, t.Objectives[objective]));
            correlations.Add(new ObjectiveRankCorrelations(objective, BudgetRankCorrelations.Across(values)));
        }

        return new StudyImportanceReport(importances, correlations);
    }
}
