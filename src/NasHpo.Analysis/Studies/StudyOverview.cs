namespace NasHpo.Analysis.Studies;

/// <summary>A study in one line of numbers: the studies list of the dashboard and the head of every other view.</summary>
internal sealed record StudySummary(
    string StudyId,
    string Name,
    string State,
    string? FinishReason,
    int Completed,
    int Failed,
    int Running,
    int Pending,
    double Hypervolume,
    int FrontSize,
    double BudgetSpent,
    int DevicesBusy,
    int Devices,
    string Optimizer,
    string CreatedAt,
    string? FinishedAt,
    double ElapsedSeconds)
{
    public int Evaluations => Completed + Failed;
}

/// <summary>An objective as the views label and scale it.</summary>
internal sealed record ObjectiveInfo(string Name, string Direction, string Scale);

/// <summary>A searched parameter: its kind, and its choices when it has a fixed list.</summary>
internal sealed record ParameterInfo(string Name, string Kind, IReadOnlyList<string>? Choices);

/// <summary>
/// The evaluations of one budget (rung), drawn in the Pareto views: ledger indices and objective columns (user's
/// direction), and which of them are non-dominated among that budget's evaluations. A study of many evaluations
/// shows an evenly spread sample of its dominated points (<see cref="Sampled"/>) and every non-dominated one.
/// </summary>
internal sealed record BudgetPoints(double Budget, int Evaluated, bool Sampled, IReadOnlyList<int> Indices, IReadOnlyList<IReadOnlyList<double>> Objectives, IReadOnlyList<bool> NonDominated);

/// <summary>The hypervolume after each archived evaluation (thinned to its changes for long studies).</summary>
internal sealed record HypervolumeHistory(IReadOnlyList<int> Evaluations, IReadOnlyList<double> BudgetSpent, IReadOnlyList<double> WallSeconds, IReadOnlyList<double> Hypervolume);

/// <summary>A device's lane on the timeline: its trials (the latest ones for long studies; only in <see cref="StudyView.Devices"/>, not in the overview) and how busy it was.</summary>
internal sealed record DeviceLane(string Device, int Trials, double BusySeconds, double Utilisation, IReadOnlyList<DeviceBar> Bars);

/// <summary>One trial on a device's lane, in seconds since the study was created.</summary>
internal sealed record DeviceBar(int Index, string Trial, double Start, double End, string Status);

/// <summary>A bracket (or, for asynchronous promotion, a ladder) and how many of its configurations reached each rung.</summary>
internal sealed record BracketInfo(long Bracket, IReadOnlyList<double> Budgets, IReadOnlyList<int> PerRung);

/// <summary>One configuration's way up a bracket: the budgets it was evaluated at, and where it stopped.</summary>
/// <param name="Steps">ledger indices of its trials, lowest budget first</param>
/// <param name="Outcome">"promoted to the top", "stopped at budget b" (not among the best of that rung), "failed", "running"</param>
internal sealed record PromotionPath(long ConfigurationId, IReadOnlyList<int> Steps, IReadOnlyList<double> Budgets, string Outcome);

/// <summary>A bracket's paths and the rule that decided them.</summary>
internal sealed record BracketPromotions(long Bracket, string Rule, IReadOnlyList<PromotionPath> Paths);

/// <summary>BULK &amp; CUT's operations: a child configuration made from a trained parent by a network morphism or pruning.</summary>
internal sealed record LineageEdge(string Parent, string Child, int ChildIndex, string Operation);

/// <summary>Everything the dashboard's overview views draw, for one study at one moment.</summary>
internal sealed record StudyOverview(
    StudySummary Summary,
    IReadOnlyList<ObjectiveInfo> Objectives,
    IReadOnlyList<ParameterInfo> Parameters,
    IReadOnlyList<double> Budgets,
    IReadOnlyList<int> Front,
    IReadOnlyList<BudgetPoints> PointsByBudget,
    HypervolumeHistory Hypervolume,
    IReadOnlyList<DeviceLane> Devices,
    IReadOnlyList<BracketInfo> Brackets,
    IReadOnlyList<LineageEdge> Lineage,
    long Version);
