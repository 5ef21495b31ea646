using NasHpo.Core.Randomness;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>What <see cref="KillLoop.RunAsync"/> did: how many kills, how many landed mid-study, and the final run.</summary>
internal sealed record KillLoopOutcome(int Kills, int MidStudyKills, IReadOnlyList<int> EvaluationsAtKill, (int ExitCode, string Stdout, string Stderr) Final)
{
    public string Describe() => $"{Kills} kills, {MidStudyKills} in the middle of the study; evaluations at each kill: {string.Join(", ", EvaluationsAtKill)}";
}

/// <summary>
/// The real `nashpo` process killed with SIGKILL at random moments and resumed, as a user would after crashes; shared
/// by the crash tests on SQLite and on PostgreSQL.
/// </summary>
internal static class KillLoop
{
    /// <summary>
    /// Runs the study, kills it 50–550 ms after it reports running (moments drawn from <paramref name="seed"/>, so a
    /// failure repeats) until <paramref name="midStudyKills"/> kills have landed mid-study or
    /// <paramref name="maxAttempts"/> were made, then resumes it to its end. <paramref name="databaseArgs"/> (such as
    /// --db URL) go to every command.
    /// </summary>
    public static async Task<KillLoopOutcome> RunAsync(
        string workingDirectory, string studyFile, string studyId, int evaluations, int midStudyKills, int maxAttempts, ulong seed, TimeSpan limit, params string[] databaseArgs)
    {
        var (kills, landed, evaluationsAtKill, args) = await KillAsync(workingDirectory, studyFile, studyId, evaluations, midStudyKills, maxAttempts, seed, limit, databaseArgs);
        var final = await NashpoProcess.RunAsync(workingDirectory, limit, args);
        return new KillLoopOutcome(kills, landed, evaluationsAtKill, final);
    }

    /// <summary>
    /// <see cref="RunAsync"/> without its last run: the study is left as the last kill left it (unfinished, when that
    /// kill landed mid-study). Returns the counts and the command that would continue it.
    /// </summary>
    public static async Task<(int Kills, int MidStudyKills, IReadOnlyList<int> EvaluationsAtKill, string[] NextArgs)> KillAsync(
        string workingDirectory, string studyFile, string studyId, int evaluations, int midStudyKills, int maxAttempts, ulong seed, TimeSpan limit, params string[] databaseArgs)
    {
        var random = new DeterministicRandom(seed);
        var kills = 0;
        var landed = 0;
        var evaluationsAtKill = new List<int>();
        string[] Run() => ["run", studyFile, "--study-id", studyId, .. databaseArgs];
        var args = Run();

        for (var attempt = 0; attempt < maxAttempts && landed < midStudyKills; attempt++)
        {
            using var process = NashpoProcess.Start(workingDirectory, args);

            // Time the kill from the moment the study runs, so that a slow start on a loaded machine does not
            // turn every kill into one that lands before the study exists.
            await process.StudyStarted.WaitAsync(limit);
            await Task.Delay(TimeSpan.FromMilliseconds(50 + random.Next(500)));
            if (process.HasExited)
            {
                var early = await process.WaitAsync(limit);
                Assert.True(early.ExitCode == 0, $"exit {early.ExitCode}: {early.Stderr}");
                break;
            }

            process.Kill();
            kills++;

            // A kill before the study was first written leaves nothing to resume: run it again, as a user would.
            var status = await NashpoProcess.RunAsync(workingDirectory, limit, ["status", studyId, "--json", .. databaseArgs]);
            var exists = status.ExitCode == 0;
            args = exists ? ["resume", studyId, .. databaseArgs] : Run();
            if (exists)
            {
                using var json = System.Text.Json.JsonDocument.Parse(status.Stdout);
                var recorded = json.RootElement.GetProperty("evaluations").GetInt32();
                evaluationsAtKill.Add(recorded);
                if (recorded > 0 && recorded < evaluations)
                {
                    landed++;
                }
            }
        }

        return (kills, landed, evaluationsAtKill, args);
    }

    /// <summary>The report's rows with the columns that may differ between runs (time, device, node) removed.</summary>
    public static string[] WithoutTimingColumns(string path) => NasHpo.Benchmarks.Chaos.ChaosLedger.WithoutTimingColumns(path);
}
