using System.Text.Json;

namespace NasHpo.Benchmarks.Chaos;

/// <summary>
/// A finished study as its report and `nashpo verify` tell it: trials.csv and pareto.csv without the columns that may
/// differ between two runs (time, device, node), and the journal's problems. <see cref="Compare"/> counts what a
/// killed run lost or ran twice against an uninterrupted one.
/// </summary>
internal sealed record ChaosLedger(string[] Trials, string[] Pareto, int JournalProblems, string State)
{
    private static readonly string[] TimingTokens = ["time", "_at", "duration", "device", "node", "worker"];

    /// <summary>Reads study <paramref name="studyId"/> of <paramref name="database"/> through `report` and `verify --json`.</summary>
    public static async Task<ChaosLedger> ReadAsync(string nashpo, string directory, string database, string studyId, TimeSpan limit)
    {
        var output = Path.Combine(directory, "report");
        var report = await ChaosProcess.RunAsync(nashpo, directory, limit, ["report", studyId, "--db", database, "--out", output]);
        if (report.ExitCode != 0)
        {
            throw new InvalidOperationException($"nashpo report {studyId} failed (exit {report.ExitCode}): {report.Stderr}");
        }

        var verify = await ChaosProcess.RunAsync(nashpo, directory, limit, ["verify", studyId, "--db", database, "--json"]);
        int problems;
        using (var json = JsonDocument.Parse(verify.Stdout))
        {
            problems = json.RootElement.GetProperty("problems").GetArrayLength();
        }

        var status = await ChaosProcess.RunAsync(nashpo, directory, limit, ["status", studyId, "--db", database, "--json"]);
        string state;
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            state = json.RootElement.GetProperty("state").GetString() ?? "";
        }

        return new ChaosLedger(
            WithoutTimingColumns(Path.Combine(output, "trials.csv")), WithoutTimingColumns(Path.Combine(output, "pareto.csv")), problems, state);
    }

    /// <summary>The report's rows with the columns that may differ between runs (time, device, node) removed.</summary>
    public static string[] WithoutTimingColumns(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length)
            .Where(i => !TimingTokens.Any(token => header[i].Contains(token, StringComparison.Ordinal)))
            .ToArray();
        return lines.Select(line =>
        {
            var cells = line.Split(',');
            return string.Join(',', keep.Select(i => cells[i]));
        }).ToArray();
    }

    /// <summary>Rows whose trial ended (completed or failed), without the header.</summary>
    public IReadOnlyList<string> Finished => Rows.Where(r => Cell(r, "status") is "completed" or "failed").ToArray();

    /// <summary>Rows of trials scheduled but never finished.</summary>
    public int Unfinished => Rows.Count(r => Cell(r, "status") is not ("completed" or "failed"));

    /// <summary>Trials run twice at one budget: rows beyond the first of a trial id, or of a configuration at a budget.</summary>
    public int Doubled =>
        Rows.Length - Rows.Select(r => Cell(r, "trial_id")).Distinct(StringComparer.Ordinal).Count()
        + Finished.Count - Finished.Select(r => (Cell(r, "configuration_id"), Cell(r, "budget"))).Distinct().Count();

    private string[] Rows => Trials[1..];

    /// <summary>
    /// Against an uninterrupted run of the same study: <c>Lost</c> counts the evaluations it finished that this one
    /// lacks (row by row when <paramref name="deterministic"/>, by number otherwise) and this run's trials scheduled
    /// but never finished beyond the reference's; <c>Identical</c> (deterministic studies only) whether trials.csv and
    /// pareto.csv are the same.
    /// </summary>
    public (int Lost, int Doubled, bool? Identical) Compare(ChaosLedger reference, bool deterministic)
    {
        int missing;
        if (deterministic)
        {
            var mine = Finished.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            missing = reference.Finished.GroupBy(r => r, StringComparer.Ordinal).Sum(g => Math.Max(0, g.Count() - mine.GetValueOrDefault(g.Key)));
        }
        else
        {
            missing = Math.Max(0, reference.Finished.Count - Finished.Count);
        }

        var lost = missing + Math.Max(0, Unfinished - reference.Unfinished);
        bool? identical = deterministic ? Trials.SequenceEqual(reference.Trials) && Pareto.SequenceEqual(reference.Pareto) : null;
        return (lost, Doubled, identical);
    }

    private string Cell(string row, string column)
    {
        var index = Array.IndexOf(Trials[0].Split(','), column);
        return index < 0 ? throw new InvalidOperationException($"trials.csv has no column {column}") : row.Split(',')[index];
    }
}
