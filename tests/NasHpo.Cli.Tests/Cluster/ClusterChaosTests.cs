using NasHpo.Benchmarks.Chaos;
using NasHpo.Tests.Shared;
using Xunit.Abstractions;

namespace NasHpo.Cli.Tests.Cluster;

/// <summary>
/// The benchmarks' chaos-cluster command, short: a loopback cluster of real `nashpo serve` processes (two
/// coordinators, two trainers) on a PostgreSQL database of the test's own, with five faults at moments drawn from a
/// seed: a trainer killed with SIGKILL, a trainer frozen briefly, a trainer frozen until it is downed (it must exit once
/// thawed), the singleton's coordinator killed; each repaired with a new node. Every study must finish with nothing lost
/// or run twice, `nashpo verify` clean, and the deterministic ones identical to an uninterrupted single-process run.
/// The long run is `dotnet run -c Release --project src/NasHpo.Benchmarks -- chaos-cluster --faults 100 --db ...` (README).
/// </summary>
[Trait("Kind", "chaos-end-to-end")]
[Collection(ClusterProcessGroup.Name)]
public sealed class ClusterChaosTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-chaos-cluster-");

    public void Dispose() => _directory.Delete(recursive: true);

    [PostgreSqlFact]
    public async Task Five_cluster_faults_lose_nothing_run_nothing_twice_and_leave_deterministic_studies_identical()
    {
        using var database = ScratchPostgreSqlDatabase.Create();
        // Hyperband with asynchronous promotion and checkpoints, a model-based method, both deterministic.
        var studies = ChaosStudies.Select(["hyperband-async", "mo-bohb"], ChaosStudies.FindRepositoryRoot(AppContext.BaseDirectory), "150ms");
        var options = new ClusterChaosOptions(Path.Combine(AppContext.BaseDirectory, "nashpo.dll"), _directory.FullName, database.Url, Faults: 5, Seed: 20261205, studies, TimeSpan.FromMinutes(4))
        {
            Log = output.WriteLine,
        };

        var outcome = await ClusterChaosRun.RunAsync(options);

        var account = string.Join('\n', outcome.Describe());
        output.WriteLine(account);
        Assert.Equal(5, outcome.Faults);
        Assert.All(outcome.FaultsByKind, f => Assert.True(f.Value >= 1, $"no {ClusterChaosOutcome.Name(f.Key)}: {account}"));
        Assert.Empty(outcome.Problems);
        Assert.All(outcome.Rounds, r => Assert.Null(r.Failure));
        Assert.Equal(0, outcome.Rounds.Sum(r => r.Lost));
        Assert.Equal(0, outcome.Rounds.Sum(r => r.Doubled));
        Assert.Equal(0, outcome.Rounds.Sum(r => r.JournalProblems));
        Assert.True(outcome.Rounds.Count >= 2, account);
        Assert.All(outcome.Rounds, r => Assert.True(r.Identical, $"{r.Study} round {r.Round} differs from its uninterrupted run: {account}"));
        Assert.True(outcome.Clean, account);
    }
}
