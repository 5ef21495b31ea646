using NasHpo.Actors.Studies;
using NasHpo.Training.Data;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>Real networks trained on Fashion-MNIST through the whole actor tree (Debian's dataset; CI installs it).</summary>
public sealed class TrainingStudyTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-training-study-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_fashion_mnist_study_trains_networks_and_records_their_objectives_and_test_error()
    {
        if (!File.Exists(Path.Combine(FashionMnistOptions.DebianDirectory, "train-images-idx3-ubyte.gz")))
        {
            // The CI script installs dataset-fashion-mnist; a developer machine without it has nothing to train on.
            return;
        }

        var database = Path.Combine(_directory.FullName, "training.db");
        await using var engine = TestEngine.Start(database, devices: 2);
        var definition = TestEngine.Study("""
            seed = 3
            devices = 2
            problem { type = fashion-mnist, train-subset = 512, validation-subset = 256, test-subset = 256, image-size = 8 }
            search-space {
              conv_layers { type = int, lower = 1, upper = 1 }
              filters_1 { type = int, lower = 4, upper = 8 }
              kernel_1 { type = categorical, choices = [3] }
              batch_norm_1 { type = bool }
              global_avg_pooling { type = bool }
              fc_layers { type = int, lower = 1, upper = 1 }
              units_1 { type = int, lower = 8, upper = 16 }
              learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
              batch_size { type = int, lower = 32, upper = 64 }
            }
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
    }
}
