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
        await ReadOnlyAsync(nashpo, directory, limit, ["report", studyId, "--db", database, "--out", output]);
        var verify = await ReadOnlyAsync(nashpo, directory, limit, ["verify", studyId, "--db", database, "--json"]);
        int problems;
        using (var json = JsonDocument.Parse(verify))
        {
            problems = json.RootElement.GetProperty("problems").GetArrayLength();
        }

        var status = await ReadOnlyAsync(nashpo, directory, limit, ["status", studyId, "--db", database, "--json"]);
        string state;
        using (var json = JsonDocument.Parse(status))
        {
            state = json.RootElement.GetProperty("state").GetString() ?? "";
        }

        return new ChaosLedger(
            WithoutTimingColumns(Path.Combine(output, "trials.csv")), WithoutTimingColumns(Path.Combine(output, "pareto.csv")), problems, state);
    }

    /// <summary>
    /// A command that only reads the journal, tried up to three times: on a machine loaded far beyond its cores the
    /// read side can give up on its own timeouts (an internal error, exit 1), which says nothing about the journal.
    /// </summary>
    private static async Task<string> ReadOnlyAsync(string nashpo, string directory, TimeSpan limit, string[] args)
    {
        var why = "";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var (exitCode, stdout, stderr) = await ChaosProcess.RunAsync(nashpo, directory, limit, args);

                // verify exits 2 when it finds problems, and still prints them.
                if (exitCode == 0 || (args[0] == "verify" && exitCode == 2 && stdout.TrimStart().StartsWith('{')))
                {
                    return stdout;
                }

                why = $"exit {exitCode}: {stderr.Trim()}";
            }
            catch (TimeoutException error)
            {
                // Seen under such load: the internal error printed, and the process not ending.
                why = error.Message;
            }
        }

        throw new InvalidOperationException($"nashpo {string.Join(' ', args)} failed 3 times ({why})");
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
