using System.Globalization;
using NasHpo.Actors.ReadSide;
using NasHpo.Configuration;

namespace NasHpo.Analysis.Studies;

/// <summary>
/// One trial as the dashboard's table, the report and the trial page show it. Objectives are the measured values in
/// the user's direction (never log-scaled, a maximised one as measured); parameters are numbers or texts; times are
/// seconds since the study was created, so a page needs no time-zone arithmetic.
/// </summary>
internal sealed record TrialRow(
    int Index,
    string Id,
    long ConfigurationId,
    double Budget,
    long Bracket,
    int Rung,
    string Status,
    IReadOnlyDictionary<string, object> Parameters,
    IReadOnlyList<double>? Objectives,
    IReadOnlyDictionary<string, double> Metrics,
    string? Device,
    double ScheduledAt,
    double? StartedAt,
    double? FinishedAt,
    double? DurationSeconds,
    string? Failure,
    string? Parent,
    string? LineageParent,
    string? LineageOperation,
    string? Checkpoint)
{
    /// <summary>The row of one ledger entry; <paramref name="index"/> is its place in the ledger.</summary>
    internal static TrialRow From(int index, TrialRecord trial, StudyDefinition definition, DateTimeOffset origin)
    {
        var request = trial.Scheduled.Request;
        var parameters = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Configuration.Values)
        {
            parameters[name] = value.Text is { } text ? text : value.Number;
        }

        var finishedAt = trial.Completed?.CompletedAt ?? trial.Failed?.FailedAt;
        return new TrialRow(
            index,
            request.Id.ToString(),
            request.Id.ConfigurationId,
            request.Id.Budget,
            request.Bracket,
            request.Rung,
            trial.Status,
            parameters,
            trial.Completed is { } completed ? definition.ObjectiveSpace.RecordedToUser(completed.Objectives) : null,
            trial.Completed?.Metrics ?? new Dictionary<string, double>(),
            trial.Completed?.Device ?? trial.Failed?.Device ?? trial.Started?.Device,
            Seconds(trial.Scheduled.ScheduledAt, origin),
            trial.Started is { } started ? Seconds(started.StartedAt, origin) : null,
            finishedAt is { } at ? Seconds(at, origin) : null,
            trial.Completed?.Duration.TotalSeconds,
            trial.Failed?.Reason,
            request.Parent?.ToString(),
            request.Lineage?.ParentTrial.ToString(),
            request.Lineage?.Operation,
            trial.Completed?.Checkpoint);
    }

    private static double Seconds(DateTimeOffset at, DateTimeOffset origin) => Math.Round((at - origin).TotalSeconds, 3);

    /// <summary>A parameter's value as the table prints it.</summary>
    public string ParameterText(string name) => Parameters.TryGetValue(name, out var value)
        ? value is double number ? number.ToString("G6", CultureInfo.InvariantCulture) : (string)value
        : string.Empty;
}

/// <summary>A trial with what only its own page shows: the learning curve, and the chain of trials it continued from.</summary>
/// <param name="Curve">the intermediate reports in order: step and the values reported at it</param>
/// <param name="Chain">the same configuration's trials at lower budgets, lowest first, then this one</param>
internal sealed record TrialDetail(TrialRow Trial, IReadOnlyList<CurveRow> Curve, IReadOnlyList<TrialRow> Chain);

/// <summary>One point of a learning curve.</summary>
internal sealed record CurveRow(double Step, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// What the trial table asks for: a page, and filters that all must hold. A range filter on a parameter or an
/// objective keeps rows whose value lies in [Min, Max] (either end open when null); a text parameter matches by equality.
/// </summary>
internal sealed record TrialQuery
{
    public int Offset { get; init; }

    public int Limit { get; init; } = 50;

    /// <summary>completed, failed, running or pending; null for all.</summary>
    public string? Status { get; init; }

    public double? Budget { get; init; }

    public long? Bracket { get; init; }

    /// <summary>Filters on parameters (by name) or objectives (by name), ANDed.</summary>
    public IReadOnlyList<RangeFilter> Ranges { get; init; } = [];

    /// <summary>Order by this column (a parameter, an objective, "budget", "duration" or "index"), ascending unless <see cref="Descending"/>.</summary>
    public string? SortBy { get; init; }

    public bool Descending { get; init; }
}

/// <summary>A value filter on one column: numbers in [Min, Max], or a text equal to <see cref="Text"/>.</summary>
internal sealed record RangeFilter(string Column, double? Min, double? Max, string? Text = null);

/// <summary>One page of the table: the rows, and how many rows all the filters keep.</summary>
internal sealed record TrialPage(int Total, int Offset, IReadOnlyList<TrialRow> Rows);
