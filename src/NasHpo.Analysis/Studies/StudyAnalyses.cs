namespace NasHpo.Analysis.Studies;

/// <summary>Paper 000's analyses of a study's view: importance per budget (fANOVA) and rank correlation across budgets.</summary>
public static class StudyAnalyses
{
    public static StudyAnalysis Of(StudyView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return StudyAnalysis.Empty;
    }
}
