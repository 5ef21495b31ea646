using NasHpo.Analysis.Importance;

namespace NasHpo.Analysis.Studies;

/// <summary>Paper 000's analyses of a study's view: importance per budget (fANOVA) and rank correlation across budgets.</summary>
internal static class StudyAnalyses
{
    /// <summary>
    /// A budget's forest is fitted to at most this many of its trials (the latest): enough for stable importances,
    /// and a study of 100 000 evaluations is analysed in seconds, not minutes.
    /// </summary>
    public const int MaxTrialsPerBudget = 2000;

    public static StudyAnalysis Of(StudyView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var definition = view.Definition;
        var trials = view.CompletedTrials()
            .GroupBy(t => t.Budget)
            .SelectMany(g => g.Skip(Math.Max(0, g.Count() - MaxTrialsPerBudget)))
            .ToArray();
        var report = StudyImportance.Analyse(definition.Space, trials, new FanovaOptions { Seed = (int)(definition.Seed & int.MaxValue) });
        var names = definition.Objectives.Select(o => o.Name).ToArray();
        return new StudyAnalysis(
            StudyImportance.DefaultMinimumTrialsPerBudget,
            report.Importances.Select(i => new ImportanceAtBudget(
                names[i.Objective],
                i.Budget,
                i.Result.Samples,
                i.Result.Parameters.OrderByDescending(p => p.Importance).ToArray())).ToArray(),
            report.RankCorrelations.SelectMany(o => o.Pairs.Select(p => new BudgetCorrelation(names[o.Objective], p.LowerBudget, p.HigherBudget, p.SharedConfigurations, p.Spearman))).ToArray());
    }
}
