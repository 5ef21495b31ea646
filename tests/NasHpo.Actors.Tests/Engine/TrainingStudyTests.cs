using NasHpo.Actors.Studies;
using NasHpo.Training.Data;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>Real networks trained on Fashion-MNIST through the whole actor tree (Debian's dataset; CI installs it).</summary>
public sealed class TrainingStudyTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-training-study-");

    public void Dispose() => _directory.Delete(recursive: true);

    [RealFashionMnistFact]
    public async Task A_fashion_mnist_study_trains_networks_and_records_their_objectives_and_test_error()
    {

        var database = Path.Combine(_directory.FullName, "training.db");

        // Checkpoints in a directory of their own (as a PostgreSQL journal needs) rather than next to the database.
        var checkpoints = Path.Combine(_directory.FullName, "checkpoints");
        await using var engine = TestEngine.Start(database, devices: 2, extraConfig: $"nashpo.checkpoints.directory = \"{checkpoints}\"");
        var definition = TestEngine.Study($$"""
            seed = 3
            devices = 2
            problem { type = fashion-mnist, train-subset = 512, validation-subset = 256, test-subset = 256, image-size = 8 }
            {{TinyConvNetSpace.Hocon}}
            optimizer { type = hyperband, min-budget = 1, max-budget = 3 }
            stop { max-evaluations = 6 }
            """);

        var status = await engine.RunToEndAsync("fashion", definition, TimeSpan.FromMinutes(3));

        Assert.Equal(6, status.Evaluations);
        Assert.Equal(0, status.Failed);
        var record = await engine.ReadAsync("fashion");
        Assert.All(record.Trials, t =>
        {
            var completed = t.Completed!;
            Assert.InRange(completed.Objectives[0], 0.0, 1.0);
            Assert.True(completed.Objectives[1] > 0 && completed.Objectives[1] == Math.Floor(completed.Objectives[1]), "params is a positive whole number");
            Assert.InRange(completed.Metrics["test-error"], 0.0, 1.0);
        });

        // A better-than-chance network exists among them: training really happened.
        Assert.Contains(record.Trials, t => t.Completed!.Objectives[0] < 0.8);

        // The front's checkpoints at the maximum budget stay, in the configured directory only.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(checkpoints, "fashion"), "*-b3.ckpt"));
        Assert.False(Directory.Exists(database + ".checkpoints"));
    }

    [RealFashionMnistFact]
    public async Task A_bulk_and_cut_study_grows_and_prunes_trained_networks_and_journals_their_lineage()
    {
        var database = Path.Combine(_directory.FullName, "bulk-and-cut.db");
        await using var engine = TestEngine.Start(database, devices: 1);
        // 10 evaluations: configurations 0-3 are random (ids below 35 % of 10), 4-7 bulk-up children, 8-9 cut-down children.
        var definition = TestEngine.Study("""
            seed = 4
            devices = 1
            problem { type = fashion-mnist, train-subset = 256, validation-subset = 128, test-subset = 128, image-size = 8 }
            search-space {
              conv_layers { type = int, lower = 1, upper = 2 }
              filters_1 { type = int, lower = 4, upper = 16 }
              filters_2 { type = int, lower = 4, upper = 16, when = "conv_layers >= 2" }
              kernel_1 { type = categorical, choices = [3] }
              kernel_2 { type = categorical, choices = [3], when = "conv_layers >= 2" }
              batch_norm_1 { type = bool }
              batch_norm_2 { type = bool, when = "conv_layers >= 2" }
              global_avg_pooling { type = bool }
              fc_layers { type = int, lower = 1, upper = 2 }
              units_1 { type = int, lower = 8, upper = 32 }
              units_2 { type = int, lower = 8, upper = 32, when = "fc_layers >= 2" }
              learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
              batch_size { type = int, lower = 32, upper = 64 }
            }
            optimizer { type = bulk-and-cut, max-budget = 1 }
            stop { max-evaluations = 10 }
            """);

        var status = await engine.RunToEndAsync("bulk", definition, TimeSpan.FromMinutes(3));

        Assert.Equal(10, status.Evaluations);
        var record = await engine.ReadAsync("bulk");
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2], record.Trials.OrderBy(t => t.Id.ConfigurationId).Select(t => t.Scheduled.Request.Rung));
        var children = record.Trials.Where(t => t.Scheduled.Request.Lineage is not null).ToArray();
        Assert.Equal(record.Trials.Count(t => t.Scheduled.Request.Rung > 0), children.Length);
        Assert.All(children, child =>
        {
            var lineage = child.Scheduled.Request.Lineage!;
            Assert.NotNull(record.Trials.Single(t => t.Id == lineage.ParentTrial).Completed);
            var completed = child.Completed!;
            // Each child started from its parent's checkpoint; cut-down children were distilled from it.
            Assert.Equal(1, completed.Metrics["inherited"]);
            Assert.Equal(child.Scheduled.Request.Rung == 2 ? 1 : 0, completed.Metrics["distilled"]);
        });
        Assert.Contains(children, c => c.Scheduled.Request.Lineage!.Operation.StartsWith("prune ", StringComparison.Ordinal));
    }

    [RealFashionMnistFact]
    public async Task A_residual_study_with_seconds_budgets_trains_paper_000_networks_and_records_latency()
    {

        var database = Path.Combine(_directory.FullName, "residual.db");
        await using var engine = TestEngine.Start(database, devices: 2);
        var definition = TestEngine.Study("""
            seed = 5
            devices = 2
            problem { type = fashion-mnist, model = residual, train-subset = 256, validation-subset = 128, test-subset = 128, image-size = 8 }
            objectives = [ { name = val-error }, { name = latency-ms, direction = minimize, cost = cheap } ]
            search-space {
              blocks_1 { type = int, lower = 1, upper = 1 }
              blocks_2 { type = int, lower = 1, upper = 1 }
              blocks_3 { type = int, lower = 1, upper = 1 }
              initial_filters { type = int, lower = 4, upper = 8 }
              widen_1 { type = float, lower = 0.5, upper = 1.0 }
              widen_2 { type = float, lower = 1.0, upper = 2.0 }
              widen_3 { type = float, lower = 1.0, upper = 2.0 }
              branches_1 { type = int, lower = 1, upper = 2 }
              branches_2 { type = int, lower = 1, upper = 2 }
              branches_3 { type = int, lower = 1, upper = 2 }
              learning_rate { type = float, lower = 1e-2, upper = 1e-1, log = true }
              batch_size { type = int, lower = 32, upper = 64 }
              weight_decay { type = float, lower = 1e-5, upper = 1e-3, log = true }
              momentum { type = float, lower = 0.5, upper = 0.9 }
              shake_shake_alpha { type = float, lower = 0.0, upper = 1.0 }
              cutout_length { type = int, lower = 0, upper = 2 }
              shakedrop_death_rate { type = float, lower = 0.0, upper = 0.5 }
            }
            optimizer { type = hyperband, min-budget = 0.25, max-budget = 0.75, budget-unit = seconds }
            stop { max-evaluations = 4 }
            """);

        var status = await engine.RunToEndAsync("residual", definition, TimeSpan.FromMinutes(2));

        Assert.Equal(4, status.Evaluations);
        Assert.Equal(0, status.Failed);
        var record = await engine.ReadAsync("residual");
        Assert.All(record.Trials, t =>
        {
            var completed = t.Completed!;
            Assert.InRange(completed.Objectives[0], 0.0, 1.0);
            Assert.True(completed.Objectives[1] > 0, "latency-ms is positive");
            Assert.Equal(completed.Objectives[1], completed.Metrics["latency-ms"]);
            // A seconds budget: training stops at the first batch past it (one batch here is milliseconds).
            Assert.InRange(completed.Metrics["train-time-s"], t.Id.Budget, t.Id.Budget + 1.0);
        });
    }
}
