using System.Runtime.InteropServices;
using NasHpo.Cli.Tabular;
using NasHpo.Configuration.Tabular;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;
using NasHpo.Training;
using NasHpo.Training.Tests;

namespace NasHpo.Cli.Tests.Tabular;

/// <summary>
/// One run's failure never ends <c>nashpo tabular generate</c>: a run whose training diverges numerically is
/// recorded as diverged, one that libtorch fails otherwise is left out for a rerun, and only other exceptions (I/O,
/// bad input) still stop it. Real training on a tiny generated Fashion-MNIST, a second or two per test.
/// </summary>
public sealed class TabularGeneratorFailureTests : IDisposable
{
    private readonly CliHarness _harness = new();
    private readonly IdxFiles _data = new();

    public TabularGeneratorFailureTests() => _data.WriteFashionMnist(train: 400, test: 100);

    public void Dispose()
    {
        _data.Dispose();
        _harness.Dispose();
    }

    private static string Space(string learningRates) => $$"""
        search-space {
          conv_layers { type = int, lower = 1, upper = 1 }
          filters { type = ordinal, choices = [4] }
          kernel { type = ordinal, choices = [3] }
          batch_norm { type = bool }
          global_avg_pooling { type = bool }
          fc_layers { type = int, lower = 1, upper = 1 }
          units { type = ordinal, choices = [8] }
          learning_rate { type = ordinal, choices = [{{learningRates}}] }
        }
        """;

    [Fact]
    public void A_run_whose_update_overflows_is_recorded_as_diverged_and_the_others_are_trained()
    {
        // 1e39 is a learning rate no float holds once Adam divides it by 1 - 0.9: libtorch refuses the first step.
        var space = _harness.Write("space.conf", Space("0.003, 1e39"));
        var output = Path.Combine(_harness.Directory, "table.jsonl.gz");

        var result = CliHarness.Run(
            "tabular", "generate", space, "--out", output, "--data-dir", _data.Directory, "--epochs", "2", "--image-size", "8",
            "--train-subset", "200", "--validation-subset", "50", "--test-subset", "50", "--workers", "2", "--threads", "1");

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var runs = TabularTableFile.Read(output, "test").Runs.ToArray();
        Assert.Equal(8, runs.Length);
        var absurd = runs.Where(r => r.Configuration.GetDouble("learning_rate") == 1e39).ToArray();
        Assert.Equal(4, absurd.Length);
        Assert.All(absurd, run =>
        {
            Assert.Equal(1, run.DivergedAtEpoch);
            Assert.Equal(0, run.RecordedEpochs);
            Assert.True(run.Fixed["params"] > 0);
        });
        Assert.All(runs.Except(absurd), run =>
        {
            Assert.Null(run.DivergedAtEpoch);
            Assert.Equal(2, run.RecordedEpochs);
        });
        var diverged = result.StdoutLines.Where(l => l.Contains("(diverged in epoch 1: training diverged: the update overflowed", StringComparison.Ordinal)).ToArray();
        Assert.Equal(4, diverged.Length);
        Assert.All(diverged, line => Assert.Contains("value cannot be converted to type float without overflow", line, StringComparison.Ordinal));
    }

    /// <summary>The one configuration (of 8) whose second epoch libtorch fails in the test below, as the table names it.</summary>
    private const string Unlucky = "batch_norm=1;conv_layers=1;fc_layers=1;filters=4;global_avg_pooling=0;kernel=3;learning_rate=0.01;units=8";

    /// <summary>Whether the network the generator trains (its per-layer names expanded) is that configuration's.</summary>
    private static bool IsUnlucky(Core.SearchSpaces.Configuration network) =>
        network.GetBoolean("batch_norm_1") && !network.GetBoolean("global_avg_pooling") && network.GetDouble("learning_rate") == 0.01;

    [Fact]
    public void A_run_that_libtorch_fails_otherwise_is_left_out_while_the_others_go_on_and_the_same_command_then_trains_it()
    {
        var space = _harness.Write("space.conf", Space("0.003, 0.01"));
        var output = Path.Combine(_harness.Directory, "table.jsonl.gz");
        // What two workers met after hours (TorchSharp's Adam reading a Scalar the garbage collector had freed):
        // nothing to do with the configuration, so it is no result to record, diverged or otherwise.
        var failing = Generator(space, output, (workload, request, context) =>
            IsUnlucky(request.Configuration) && request.Id.Budget == 2
                ? throw new ExternalException("Expected false to be true, but got false.  (Could this error message be improved?)\nException raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):\nframe #0: ...")
                : workload.Run(request, context));

        var exitCode = failing.Generator.Run(CancellationToken.None);

        Assert.Equal(ExitCodes.InternalError, exitCode);
        var stdout = failing.Out.ToString().Split('\n');
        var failed = Assert.Single(stdout, l => l.StartsWith("[failed]", StringComparison.Ordinal));
        Assert.Contains($"[failed] seed 0 {Unlucky}: ", failed, StringComparison.Ordinal);
        Assert.Contains("not recorded, libtorch failed in epoch 2: Expected false to be true, but got false.", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception raised from", failed, StringComparison.Ordinal);
        Assert.Equal(7, stdout.Count(l => l.StartsWith('[') && l.Contains("/8]", StringComparison.Ordinal)));
        var error = Assert.Single(failing.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nashpo: 1 of 8 runs failed in libtorch", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        var (_, kept) = TabularTableFile.ReadWorkFile(TabularGenerator.WorkFile(output))!.Value;
        Assert.Equal(7, kept.Count);

        var rerun = Generator(space, output, static (workload, request, context) => workload.Run(request, context));
        Assert.Equal(ExitCodes.Success, rerun.Generator.Run(CancellationToken.None));
        Assert.Contains("7 runs already in", rerun.Out.ToString(), StringComparison.Ordinal);
        Assert.Single(rerun.Out.ToString().Split('\n'), l => l.StartsWith("[8/8]", StringComparison.Ordinal));
        var table = TabularTableFile.Read(output, "test");
        Assert.Equal(8, table.Runs.Count());
        Assert.All(table.Runs, run => Assert.Equal(2, run.RecordedEpochs));
    }

    [Fact]
    public void Any_other_failure_of_a_run_still_stops_the_generation()
    {
        var space = _harness.Write("space.conf", Space("0.003"));
        var output = Path.Combine(_harness.Directory, "table.jsonl.gz");
        var broken = Generator(space, output, (_, _, _) => throw new IOException("No space left on device"));

        var error = Assert.Throws<IOException>(() => broken.Generator.Run(CancellationToken.None));

        Assert.Equal("No space left on device", error.Message);
        Assert.DoesNotContain("[failed]", broken.Out.ToString(), StringComparison.Ordinal);
    }

    private (TabularGenerator Generator, StringWriter Out, StringWriter Error) Generator(
        string space,
        string output,
        Func<FashionMnistWorkload, TrialRequest, WorkloadContext, WorkloadResult> runTrial)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var settings = new TabularGenerationSettings
        {
            SpaceFile = space,
            Output = output,
            Epochs = 2,
            DataDirectory = _data.Directory,
            ImageSize = 8,
            TrainSubset = 200,
            ValidationSubset = 50,
            TestSubset = 50,
            Workers = 2,
            Threads = 1,
        };
        return (new TabularGenerator(new CliConsole(TextReader.Null, stdout, stderr), settings) { RunTrial = runTrial }, stdout, stderr);
    }
}
