using System.Diagnostics;
using NasHpo.Core.Workloads;
using Xunit.Abstractions;

namespace NasHpo.Cli.Tests.Cluster;

/// <summary>
/// Real `nashpo serve` processes on loopback: one or two coordinators and two trainers sharing a SQLite journal.
/// Studies are small (a few seconds of work); every wait is bounded and fails with the nodes' last lines.
/// </summary>
[Collection(ClusterProcessGroup.Name)]
public sealed class ClusterTests
{
    private static readonly TimeSpan StudyLimit = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _output;

    public ClusterTests(ITestOutputHelper output) => _output = output;

    // Every trial takes `delay`, long enough that a node stopped during the study is in the middle of trials.
    private static string Slow(int evaluations, string delay, int devices = 4) => $$"""
          seed = 7
          devices = {{devices}}
          problem { type = zdt1, dimensions = 4, delay = {{delay}} }
          optimizer { type = random }
          stop { max-evaluations = {{evaluations}} }
        """;

    [Fact]
    public async Task A_study_runs_across_trainer_processes_promotions_continue_on_other_nodes_and_a_leaving_trainer_hands_its_trials_back()
    {
        await using var cluster = new LocalCluster();
        var coordinator = await cluster.StartCoordinatorAsync("coordinator", "--http", "0");
        var dashboardLine = await coordinator.WaitForLineAsync("dashboard of the cluster's studies at ", LocalCluster.Start);
        var dashboard = new Uri(dashboardLine[(dashboardLine.IndexOf(" at ", StringComparison.Ordinal) + 4)..].Trim());
        var first = await cluster.StartTrainerAsync("trainer-1", coordinator, 2);
        var second = await cluster.StartTrainerAsync("trainer-2", coordinator, 2);

        // Hyperband with synthetic checkpoints in the shared directory: a promoted trial fails if its parent's
        // checkpoint cannot be read on the node it runs on.
        var study = cluster.WriteStudy("promotions", """
              seed = 5
              devices = 4
              problem { type = zdt1, dimensions = 4, delay = 60ms, checkpoints = true }
              optimizer { type = hyperband, eta = 3, min-budget = 1, max-budget = 9 }
              stop { max-evaluations = 60 }
            """);
        var submitted = cluster.Client(coordinator, "submit", study, "--study-id", "promotions");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        Assert.Equal(2, cluster.Client(coordinator, "submit", study, "--study-id", "promotions").ExitCode);

        var record = await cluster.WaitForAsync(coordinator, "promotions", r => r.State == "finished", StudyLimit, "finished");
        LocalCluster.AssertEveryEvaluationOnce(record, 60);
        var nodes = record.Trials.Select(t => LocalCluster.NodeOf(t.Completed!.Device)).ToHashSet();
        Assert.Equal(new HashSet<string> { first.Address, second.Address }, nodes);
        var completed = record.Trials.ToDictionary(t => t.Id, t => t.Completed!);
        var promoted = record.Trials.Where(t => t.Scheduled.Request.Parent is not null).ToArray();
        Assert.NotEmpty(promoted);
        foreach (var trial in record.Trials)
        {
            // Every node that worked on the configuration left its line in the checkpoint: one per rung.
            Assert.Equal(trial.Scheduled.Request.Rung + 1, trial.Completed!.Metrics[SyntheticWorkload.CheckpointChainMetric]);
        }

        // About fifteen promotions over four devices on two nodes: all on their parent's node would be a one in
        // tens of thousands chance, so at least one continues from a checkpoint another node wrote.
        Assert.Contains(promoted, t => LocalCluster.NodeOf(t.Completed!.Device) != LocalCluster.NodeOf(completed[t.Scheduled.Request.Parent!.Value].Device));

        var status = cluster.Client(coordinator, "status", "promotions", "--json");
        Assert.Contains("\"finishReason\":\"max-evaluations\"", status.Stdout, StringComparison.Ordinal);

        // The coordinator's dashboard (serve --http) shows the study from the cluster's journal.
        using (var http = new HttpClient())
        {
            using var overview = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(dashboard, "api/studies/promotions/overview")));
            var summary = overview.RootElement.GetProperty("summary");
            Assert.Equal(60, summary.GetProperty("evaluations").GetInt32());
            Assert.Equal(record.ParetoFront().Count, summary.GetProperty("frontSize").GetInt32());
            Assert.Contains("<title>nashpo</title>", await http.GetStringAsync(dashboard), StringComparison.Ordinal);
        }
        var report = Path.Combine(cluster.Directory, "report");
        Assert.Equal(0, cluster.Client(coordinator, "report", "promotions", "--out", report).ExitCode);
        Assert.Equal(61, File.ReadAllLines(Path.Combine(report, "trials.csv")).Length);

        // Graceful leave mid-study: the leaving trainer's running trials are dispatched to the other one.
        Assert.Equal(0, cluster.Client(coordinator, "submit", cluster.WriteStudy("leave", Slow(24, "400ms")), "--study-id", "leave").ExitCode);
        var before = await cluster.WaitForAsync(coordinator, "leave", r => r.Completed >= 4, StudyLimit, "4 evaluations in");
        Assert.True(before.Finished is null, "the study finished before the trainer could leave");
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        await first.WaitForLineAsync("left the cluster", TimeSpan.FromSeconds(1));
        record = await cluster.WaitForAsync(coordinator, "leave", r => r.State == "finished", StudyLimit, "finished after a trainer left");
        LocalCluster.AssertEveryEvaluationOnce(record, 24);
        Assert.True(LocalCluster.MovedFrom(record, first) >= 1, "no trial of the leaving trainer was handed back and completed elsewhere");

        // Cancel: the study ends for good, as "cancelled".
        Assert.Equal(0, cluster.Client(coordinator, "submit", cluster.WriteStudy("long", Slow(1000, "1s", devices: 2)), "--study-id", "long").ExitCode);
        var cancelled = cluster.Client(coordinator, "cancel", "long");
        Assert.True(cancelled.ExitCode == 0, cancelled.Stderr);
        record = await cluster.WaitForAsync(coordinator, "long", r => r.State == "finished", StudyLimit, "finished after cancel");
        Assert.Equal("cancelled", record.Finished!.Reason);
        Assert.Equal(2, cluster.Client(coordinator, "cancel", "long").ExitCode);
    }

    [Theory]
    [InlineData("kill -9")]
    [InlineData("unreachable")]
    public async Task A_trainer_killed_or_unreachable_mid_trial_is_removed_and_its_trials_complete_elsewhere_exactly_once(string failure)
    {
        await using var cluster = new LocalCluster();
        var coordinator = await cluster.StartCoordinatorAsync("coordinator");
        var victim = await cluster.StartTrainerAsync("trainer-1", coordinator, 2);
        await cluster.StartTrainerAsync("trainer-2", coordinator, 2);

        Assert.Equal(0, cluster.Client(coordinator, "submit", cluster.WriteStudy("s", Slow(30, "500ms")), "--study-id", "s").ExitCode);
        var before = await cluster.WaitForAsync(coordinator, "s", r => r.Completed >= 4, StudyLimit, "4 evaluations in");
        Assert.True(before.Finished is null, "the study finished before the trainer could be lost");
        if (failure == "kill -9")
        {
            victim.Kill();
        }
        else
        {
            // Frozen: alive but silent, as behind a broken network. The resolver downs it after stable-after.
            victim.Freeze();
        }

        await coordinator.WaitForLineAsync($"as UNREACHABLE [Member(address = akka.tcp://nashpo@127.0.0.1:{victim.Port}", TimeSpan.FromSeconds(30));
        await coordinator.WaitForLineAsync("its lease of", TimeSpan.FromSeconds(30));
        var record = await cluster.WaitForAsync(coordinator, "s", r => r.State == "finished", StudyLimit, "finished without the lost trainer");
        LocalCluster.AssertEveryEvaluationOnce(record, 30);
        Assert.True(LocalCluster.MovedFrom(record, victim) >= 1, "no trial of the lost trainer completed elsewhere");

        if (failure == "unreachable")
        {
            // Once it runs again it learns that it was downed, and the process ends instead of lingering.
            victim.Thaw();
            Assert.NotEqual(0, await victim.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public async Task A_trainer_left_without_any_coordinator_leaves_even_when_its_own_resolver_keeps_its_side()
    {
        // The trainer's address is the lower one, so on the one-against-one split after the coordinator's death the
        // split-brain resolver keeps the trainer's side: without the coordinator watch it would linger alone forever.
        var ports = new[] { ServeProcess.FreePort(), ServeProcess.FreePort() }.Order().ToArray();
        await using var cluster = new LocalCluster();
        cluster.NextPort = ports[1];
        var coordinator = await cluster.StartCoordinatorAsync("coordinator");
        cluster.NextPort = ports[0];
        var trainer = await cluster.StartTrainerAsync("trainer-1", coordinator, 1, "--set", "nashpo.cluster.trainer-alone-timeout=3s");

        coordinator.Kill();

        await trainer.WaitForLineAsync($"is downing [UniqueAddress: (akka.tcp://nashpo@127.0.0.1:{coordinator.Port}", TimeSpan.FromSeconds(30));
        Assert.Equal(1, await trainer.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("no coordinator reachable from", trainer.Tail(400), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_coordinator_holding_the_singleton_is_killed_the_other_takes_over_and_the_study_completes_exactly_once()
    {
        await using var cluster = new LocalCluster();
        var holder = await cluster.StartCoordinatorAsync("coordinator-a");
        var successor = await cluster.StartCoordinatorAsync("coordinator-b");
        await cluster.StartTrainerAsync("trainer-1", holder, 2, serializeMessages: false);
        await cluster.StartTrainerAsync("trainer-2", holder, 2, serializeMessages: false);

        Assert.Equal(0, cluster.Client(holder, "submit", cluster.WriteStudy("s", Slow(40, "600ms")), "--study-id", "s").ExitCode);
        var before = await cluster.WaitForAsync(holder, "s", r => r.Completed >= 4, StudyLimit, "4 evaluations in");
        Assert.True(before.Finished is null, "the study finished before its coordinator could be killed");
        var clock = Stopwatch.StartNew();
        holder.Kill();

        await successor.WaitForLineAsync("resuming 1 unfinished study from the journal: s", TimeSpan.FromSeconds(60));
        await successor.WaitForLineAsync("dispatching", TimeSpan.FromSeconds(30));
        _output.WriteLine($"from the holder's kill to its successor dispatching the study's trials: {clock.Elapsed.TotalSeconds:F1} s");

        var record = await cluster.WaitForAsync(successor, "s", r => r.State == "finished", StudyLimit, "finished on the successor");
        LocalCluster.AssertEveryEvaluationOnce(record, 40);
    }

    [Fact]
    public async Task A_command_study_runs_its_program_on_a_trainer_in_the_trainers_own_working_directory()
    {
        await using var cluster = new LocalCluster();
        var coordinator = await cluster.StartCoordinatorAsync("coordinator");
        await cluster.StartTrainerAsync("trainer-1", coordinator, 2, "--set", $"nashpo.command.working-dir=\"{Command.CommandExample.Directory}\"");

        // The study names the cluster's directory, where quadratic.py is not: only the trainer's own directory has it.
        var study = Path.Combine(cluster.Directory, "command.conf");
        File.WriteAllText(study, Command.CommandExample.Study(
            string.Empty,
            "devices = 2\noptimizer { type = hyperband, eta = 3, min-budget = 1, max-budget = 3, max-open-brackets = 1 }\nstop { max-evaluations = 8 }",
            cluster.Directory));
        var submitted = cluster.Client(coordinator, "submit", study, "--study-id", "command");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);

        var record = await cluster.WaitForAsync(coordinator, "command", r => r.State == "finished", StudyLimit, "finished");
        LocalCluster.AssertEveryEvaluationOnce(record, 8);

        // Reports crossed the cluster as learning curves; promoted trials continued from their parent's directory.
        Assert.All(record.Trials, t => Assert.NotEmpty(t.Completed!.Curve));
        var promoted = record.Trials.Where(t => t.Scheduled.Request.Parent is not null).ToArray();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, t => Assert.Equal(1, t.Completed!.Metrics["start-epoch"]));
        await Command.CommandExample.AssertNoProcessLeftAsync(cluster.Directory, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Nodes_and_clients_talk_over_tls_with_a_certificate_made_by_the_test()
    {
        await using var cluster = new LocalCluster(tls: true);
        var coordinator = await cluster.StartCoordinatorAsync("coordinator");
        await cluster.StartTrainerAsync("trainer-1", coordinator, 2);
        Assert.Contains("akka.ssl.tcp://nashpo@127.0.0.1", coordinator.Tail(), StringComparison.Ordinal);

        var submitted = cluster.Client(coordinator, "submit", cluster.WriteStudy("s", Slow(12, "20ms", devices: 2)), "--study-id", "s");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        var record = await cluster.WaitForAsync(coordinator, "s", r => r.State == "finished", StudyLimit, "finished over TLS");
        LocalCluster.AssertEveryEvaluationOnce(record, 12);
    }
}

/// <summary>Cluster tests start several processes each: one at a time on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcessGroup
{
    public const string Name = "cluster processes";
}
