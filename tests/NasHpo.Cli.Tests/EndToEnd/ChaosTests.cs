using NasHpo.Benchmarks.Chaos;
using Xunit.Abstractions;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// The benchmarks' chaos command, short: about 20 SIGKILLs of the real `nashpo` at random moments (startup,
/// recovery, mid-trial, mid-write, shutdown) across several studies at once; nothing may be lost or run twice,
/// `nashpo verify` must find nothing, and the deterministic studies must end identical to an uninterrupted run.
/// The long runs are `dotnet run -c Release --project src/NasHpo.Benchmarks -- chaos --kills 1000` (README).
/// </summary>
[Trait("Kind", "chaos-end-to-end")]
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-chaos-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Twenty_kills_across_four_studies_lose_nothing_run_nothing_twice_and_leave_deterministic_studies_identical()
    {
        // Asynchronous promotion with checkpoints, a model-based method, BULK & CUT and the command workload.
        var studies = ChaosStudies.Select(["hyperband-async", "mo-bohb", "bulk-and-cut", "command"], ChaosStudies.FindRepositoryRoot(AppContext.BaseDirectory));
        var options = new ChaosOptions(Path.Combine(AppContext.BaseDirectory, "nashpo.dll"), _directory.FullName, Kills: 20, Seed: 20261205, Parallel: 2, studies, TimeSpan.FromMinutes(3))
        {
            Log = output.WriteLine,
        };

        var outcome = await ChaosRun.RunAsync(options);

        var account = string.Join('\n', outcome.Describe());
        output.WriteLine(account);
        Assert.True(outcome.Kills >= 20, account);
        Assert.True(outcome.KillsByMoment.Count(k => k.Value > 0) >= 3, "kills should land at several kinds of moment: " + account);
        Assert.Equal(outcome.Rounds.Count, outcome.Finished);
        Assert.Equal(0, outcome.Lost);
        Assert.Equal(0, outcome.Doubled);
        Assert.Equal(0, outcome.JournalProblems);
        Assert.True(outcome.Deterministic >= 3, account);
        Assert.Equal(outcome.Deterministic, outcome.Identical);
    }
}
