using System.Diagnostics;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using Xunit.Abstractions;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

/// <summary>The latency objective, the residual model and seconds budgets of <see cref="FashionMnistWorkload"/>.</summary>
public sealed class ModelAndBudgetTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SearchConfiguration TinyNet = Table2.Configuration([(8, 3, true)], [32], learningRate: 3e-3, batchSize: 32);

    private readonly IdxFiles _files = CreateFiles();

    public void Dispose() => _files.Dispose();

    private static IdxFiles CreateFiles()
    {
        var files = new IdxFiles();
        files.WriteFashionMnist(train: 256, test: 64);
        return files;
    }

    private FashionMnistWorkload Workload(NetworkModel model, TrainingBudgetKind unit = TrainingBudgetKind.Epochs, params string[] objectives) =>
        new(new FashionMnistWorkloadOptions
        {
            Data = new FashionMnistOptions { DataDirectory = _files.Directory, ImageSize = 16 },
            Model = model,
            BudgetUnit = unit,
            Objectives = objectives.Length == 0 ? [FashionMnistWorkload.ValidationError, FashionMnistWorkload.ParameterCount] : objectives,
        });

    private static TrialRequest Request(SearchConfiguration configuration, double budget) =>
        new(new TrialId(1, budget), configuration, Bracket: 0, Rung: 0, Parent: null);

    private static WorkloadContext Context(List<WorkloadProgress> progress) => new("cpu-0", progress.Add, CancellationToken.None);

    [Fact]
    public void Latency_is_a_finite_positive_cheap_objective_measured_on_the_built_network()
    {
        using var workload = Workload(NetworkModel.ConvNet, objectives: [FashionMnistWorkload.ValidationError, FashionMnistWorkload.LatencyMs]);

        var result = workload.Run(Request(TinyNet, 0.25), Context([]));

        output.WriteLine($"latency of a batch of {InferenceLatency.DefaultBatchSize}: {result.Objectives[1]:F3} ms");
        Assert.Equal(ObjectiveCost.Cheap, workload.Objectives[1].Cost);
        Assert.Equal(ObjectiveDirection.Minimize, workload.Objectives[1].Direction);
        Assert.True(double.IsFinite(result.Objectives[1]) && result.Objectives[1] > 0, $"latency {result.Objectives[1]}");
        Assert.Equal(result.Objectives[1], result.Metrics[FashionMnistWorkload.LatencyMs]);
    }

    [Fact]
    public void Cheap_objectives_come_without_training_or_data_and_match_the_trained_trial()
    {
        // A workload pointed at a directory with no data at all: evaluating cheap objectives must not need it.
        using var dataless = new FashionMnistWorkload(new FashionMnistWorkloadOptions
        {
            Data = new FashionMnistOptions { DataDirectory = Path.Combine(_files.Directory, "absent"), ImageSize = 16 },
        });
        var cheap = dataless.EvaluateCheap(TinyNet, [FashionMnistWorkload.ParameterCount, FashionMnistWorkload.Flops, FashionMnistWorkload.LatencyMs]);

        using var workload = Workload(NetworkModel.ConvNet);
        var trained = workload.Run(Request(TinyNet, 0.25), Context([]));

        Assert.Equal(trained.Metrics[FashionMnistWorkload.ParameterCount], cheap[FashionMnistWorkload.ParameterCount]);
        Assert.Equal(trained.Metrics[FashionMnistWorkload.Flops], cheap[FashionMnistWorkload.Flops]);
        Assert.True(cheap[FashionMnistWorkload.LatencyMs] > 0);
    }

    [Fact]
    public void Latency_is_recorded_as_a_metric_when_it_is_no_objective()
    {
        using var workload = Workload(NetworkModel.ConvNet);

        var result = workload.Run(Request(TinyNet, 0.25), Context([]));

        Assert.True(result.Metrics[FashionMnistWorkload.LatencyMs] > 0);
    }

    [Fact]
    public void The_residual_model_trains_one_epoch_and_reports_like_the_convnet()
    {
        using var workload = Workload(NetworkModel.Residual, objectives: [FashionMnistWorkload.ValidationError, FashionMnistWorkload.ParameterCount, FashionMnistWorkload.LatencyMs]);
        var progress = new List<WorkloadProgress>();
        var configuration = ResidualNetTests.Residual(initialFilters: 4);

        var result = workload.Run(Request(configuration, 1), Context(progress));

        using var reference = ResidualNetBuilder.Build(configuration, imageSize: 16);
        Assert.InRange(result.Objectives[0], 0.0, 1.0);
        Assert.Equal(reference.Parameters, result.Objectives[1]);
        Assert.Equal(reference.MultiplyAccumulates, result.Metrics[FashionMnistWorkload.Flops]);
        Assert.True(result.Objectives[2] > 0);
        Assert.InRange(result.Metrics[FashionMnistWorkload.TestError], 0.0, 1.0);
        Assert.Equal(1.0, result.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(0.0, result.Metrics[FashionMnistWorkload.StartEpoch]);
        Assert.Equal(1.0, Assert.Single(progress).Done);
    }

    [Fact]
    public void A_convnet_configuration_is_refused_by_the_residual_model_with_the_missing_name()
    {
        using var workload = Workload(NetworkModel.Residual);

        var error = Assert.ThrowsAny<Exception>(() => workload.Run(Request(TinyNet, 1), Context([])));

        Assert.Contains("blocks_1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(NetworkModel.ConvNet))]
    [InlineData(nameof(NetworkModel.Residual))]
    public void A_budget_of_one_second_trains_for_about_one_second(string modelName)
    {
        // By name: NetworkModel is internal to the package, and a public test method cannot take it.
        var model = Enum.Parse<NetworkModel>(modelName);
        using var workload = Workload(model, TrainingBudgetKind.Seconds);
        var progress = new List<WorkloadProgress>();
        var configuration = model == NetworkModel.Residual ? ResidualNetTests.Residual(initialFilters: 4) : TinyNet;

        var stopwatch = Stopwatch.StartNew();
        var result = workload.Run(Request(configuration, 1), Context(progress));
        var wall = stopwatch.Elapsed.TotalSeconds;

        output.WriteLine($"{model}: trained {result.Metrics["train-time-s"]:F3} s, {result.Metrics[FashionMnistWorkload.EpochsTrained]:F2} epochs; run {wall:F2} s");
        // The last batch may start just before the second is up; one batch of this network is a few milliseconds.
        Assert.InRange(result.Metrics["train-time-s"], 1.0, 2.0);
        Assert.True(result.Metrics[FashionMnistWorkload.EpochsTrained] > 0);
        Assert.All(progress, p => Assert.Equal(1.0, p.Total));
        Assert.All(progress, p => Assert.InRange(p.Done, 0.0, 1.0));
        Assert.InRange(result.Objectives[0], 0.0, 1.0);
    }
}
