using System.Globalization;
using NasHpo.Actors.Studies;

namespace NasHpo.Cli.Engine;

/// <summary>
/// Live progress of a running study: one line rewritten in place on a terminal, plain lines (at most one a second,
/// only when something changed) when the output is a file or a pipe. <paramref name="hints"/> adds the next command
/// to type (report, resume) once the study stops; a caller that runs many studies gives its own.
/// </summary>
internal sealed class ProgressDisplay(CliConsole console, string studyId, bool hints = true)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);
    private readonly bool _terminal = ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;
    private DateTime _lastPlain = DateTime.MinValue;
    private int _lastEvaluations = -1;
    private int _lastWidth;

    public void Show(StudyStatus status)
    {
        var line = Describe(status);
        if (_terminal)
        {
            console.Out.Write("\r" + line.PadRight(_lastWidth));
            _lastWidth = line.Length;
            console.Out.Flush();
        }
        else if (status.Evaluations != _lastEvaluations && DateTime.UtcNow - _lastPlain >= PlainInterval)
        {
            console.Out.WriteLine(line);
            _lastPlain = DateTime.UtcNow;
            _lastEvaluations = status.Evaluations;
        }
    }

    public void Done(StudyStatus status, string database)
    {
        EndLine();
        console.Out.WriteLine(Describe(status));
        if (hints)
        {
            console.Out.WriteLine($"study {studyId} finished ({status.FinishReason}); report with: nashpo report {studyId} --db {database} --out DIR");
            console.Out.WriteLine($"see it in a browser: nashpo report writes DIR/report.html, or serve it live with: nashpo dashboard --db {database}");
        }
    }

    /// <summary>The resume hint repeats --checkpoints: the journal names checkpoint files, not their directory.</summary>
    /// <summary>Ends the live line of a study the engine stopped; the error line that follows says why.</summary>
    public void Stopped() => EndLine();

    public void Interrupted(string database, string? checkpoints)
    {
        EndLine();
        if (hints)
        {
            var directory = checkpoints is null ? string.Empty : $" --checkpoints {checkpoints}";
            console.Out.WriteLine($"study {studyId} interrupted; continue with: nashpo resume {studyId} --db {database}{directory}");
        }
    }

    private void EndLine()
    {
        if (_terminal && _lastWidth > 0)
        {
            console.Out.WriteLine();
        }
    }

    private static string Activity(StudyStatus s) => s.Activity.Count > 0 ? " | " + string.Join("; ", s.Activity) : string.Empty;

    private string Describe(StudyStatus s)
    {
        var where = s.Bracket is { } bracket ? $", bracket {bracket} rung {s.Rung}" : string.Empty;
        // Shown for a study that stops by its budget: how much of it is spent.
        var budget = s.MaxBudgetSpent is { } limit ? string.Create(CultureInfo.InvariantCulture, $", budget spent {s.BudgetSpent:0.##} of {limit:0.##}") : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{studyId}: {s.Evaluations} evaluations ({s.Failed} failed){budget}, {s.Running} running, {s.Pending} pending{where}, " +
            $"hypervolume {s.Hypervolume:G6}, Pareto front {s.ParetoSize}, {s.Elapsed:hh\\:mm\\:ss} elapsed{Activity(s)}");
    }
}
