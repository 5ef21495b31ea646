using System.Globalization;
using NasHpo.Analysis.Studies;

namespace NasHpo.Dashboard;

/// <summary>
/// Everything the page shows of one study, at once: what report.html embeds in place of the server's API. Every
/// trial row is there (the report's table filters in the page), with every learning curve and every bracket's paths.
/// </summary>
internal sealed record StudyReport(
    string WrittenAt,
    StudyOverview Overview,
    IReadOnlyList<TrialRow> Rows,
    IReadOnlyDictionary<string, IReadOnlyList<CurveRow>> Curves,
    IReadOnlyList<BracketPromotions> Promotions,
    IReadOnlyList<DeviceLane> Devices,
    StudyAnalysis Analysis)
{
    public static StudyReport From(StudyView view, StudyAnalysis analysis, DateTimeOffset writtenAt)
    {
        ArgumentNullException.ThrowIfNull(view);
        var overview = view.Overview();
        var curves = new Dictionary<string, IReadOnlyList<CurveRow>>(StringComparer.Ordinal);
        foreach (var row in view.Rows)
        {
            if (view.Detail(row.Id) is { Curve.Count: > 0 } detail)
            {
                curves[row.Id] = detail.Curve;
            }
        }

        return new StudyReport(
            writtenAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            overview,
            view.Rows,
            curves,
            overview.Brackets.Select(b => view.Promotions(b.Bracket)).ToArray(),
            view.Devices(),
            analysis);
    }
}
