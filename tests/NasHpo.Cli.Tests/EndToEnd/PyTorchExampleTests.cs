using NasHpo.Core.SearchSpaces;
using NasHpo.Training.Models;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// src/examples/pytorch/train_table2.py on its own, driven as the engine drives a command trial (request file,
/// NASHPO_* directories, SIGTERM): continuation from a parent's checkpoint, resumption after SIGTERM, and the cheap
/// objectives, each checked against a run that was never interrupted.
/// </summary>
public sealed class PyTorchExampleTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-pytorch-example-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_directory.FullName, name)).FullName;

    private Dictionary<string, string> Environment(double budget, string checkpoints, string? parent = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["NASHPO_REQUEST"] = PyTorchExample.WriteRequest(_directory.FullName, budget, seed: 77),
            ["NASHPO_CHECKPOINT_DIR"] = checkpoints,
            ["NASHPO_DEVICE"] = "cpu:0",
        };
        if (parent is not null)
        {
            environment["NASHPO_PARENT_CHECKPOINT_DIR"] = parent;
        }

        return environment;
    }

    [PyTorchExampleFact]
    public async Task A_promoted_trial_continues_its_parents_training_and_a_terminated_one_resumes_as_if_never_stopped()
    {
        // Straight through: six epochs, one report per epoch.
        var straight = await PyTorchExample.RunAsync(Environment(6, Folder("straight")), Limit, PyTorchExample.StoppableData);
        Assert.True(straight.ExitCode == 0, straight.Stderr);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], straight.Reports.Select(r => r["epoch"]));

        // Budget 1, then promoted to 3 with the parent's directory: only epochs 2 and 3 are trained.
        var parent = Folder("b1");
        var low = await PyTorchExample.RunAsync(Environment(1, parent), Limit, PyTorchExample.StoppableData);
        Assert.True(low.ExitCode == 0, low.Stderr);
        Assert.Equal(0, low.Last["start-epoch"]);
        Assert.True(File.Exists(Path.Combine(parent, "checkpoint.pt")));

        var promoted = await PyTorchExample.RunAsync(Environment(3, Folder("b3"), parent), Limit, PyTorchExample.StoppableData);
        Assert.True(promoted.ExitCode == 0, promoted.Stderr);
        Assert.Equal([2.0, 3], promoted.Reports.Select(r => r["epoch"]));
        Assert.Equal(1, promoted.Last["start-epoch"]);
        Assert.Equal(2, promoted.Last["epochs-trained"]);
        Assert.Equal(1, promoted.Last["continued"]);
        // Same weights, batches and optimizer state as the straight run at its third epoch.
        Assert.Equal(straight.Reports[2]["val-error"], promoted.Last["val-error"]);
        Assert.Equal(straight.Reports[2]["train-loss"], promoted.Last["train-loss"]);

        // SIGTERM after the first epoch's checkpoint: the script saves where it is and exits 143.
        var own = Folder("terminated");
        using (var process = PyTorchExample.Start(Environment(6, own), PyTorchExample.StoppableData))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(Path.Combine(own, "checkpoint.pt")) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.False(process.HasExited, "the run finished before SIGTERM could reach it");
            PyTorchExample.Terminate(process);
            var stopped = await PyTorchExample.WaitAsync(process, Limit);
            Assert.True(stopped.ExitCode == 143, $"exit code {stopped.ExitCode}; stderr: {stopped.Stderr}");
            // The script's "SIGTERM: saved ..." line is not asserted: one full run of the suite (of three) got exit
            // 143 with an empty stderr, cause not found. That the state was saved is checked below, by the resume.
        }

        // Started again with its own directory, it resumes there (not from scratch) and ends where the straight run did.
        var resumed = await PyTorchExample.RunAsync(Environment(6, own), Limit, PyTorchExample.StoppableData);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(1, resumed.Last["resumed"]);
        Assert.InRange(resumed.Last["start-epoch"], 1, 5.999);
        Assert.Equal(straight.Last["val-error"], resumed.Last["val-error"]);
        Assert.Equal(straight.Last["train-loss"], resumed.Last["train-loss"]);
        Assert.Equal(straight.Last["test-error"], resumed.Last["test-error"]);
    }

    [PyTorchExampleFact]
    public async Task The_cheap_command_counts_the_parameters_our_own_builder_counts()
    {
        var request = new Dictionary<string, string> { ["NASHPO_REQUEST"] = PyTorchExample.WriteRequest(_directory.FullName, 1, seed: 1) };

        var cheap = await PyTorchExample.RunAsync(request, Limit, "--count-params", "--image-size", "16");

        Assert.True(cheap.ExitCode == 0, cheap.Stderr);
        var configuration = new NasHpo.Core.SearchSpaces.Configuration(new Dictionary<string, ParameterValue>
        {
            ["conv_layers"] = ParameterValue.Of(2), ["filters_1"] = ParameterValue.Of(8), ["kernel_1"] = ParameterValue.Of("3"),
            ["batch_norm_1"] = ParameterValue.Of(true), ["filters_2"] = ParameterValue.Of(8), ["kernel_2"] = ParameterValue.Of("5"),
            ["batch_norm_2"] = ParameterValue.Of(false), ["global_avg_pooling"] = ParameterValue.Of(false), ["fc_layers"] = ParameterValue.Of(1),
            ["units_1"] = ParameterValue.Of(16), ["learning_rate"] = ParameterValue.Of(0.003), ["batch_size"] = ParameterValue.Of(32),
        });
        using var ours = ConvNetBuilder.Build(configuration, imageSize: 16);
        Assert.Equal(ours.Parameters, cheap.Last["params"]);
        Assert.Equal(ours.MultiplyAccumulates, cheap.Last["flops"]);
    }
}
