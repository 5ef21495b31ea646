using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using Xunit.Abstractions;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

/// <summary>BULK &amp; CUT children in the Fashion-MNIST workload: inherited weights, distillation, checkpoints.</summary>
public sealed class BulkAndCutWorkloadTests : IDisposable
{
    private static readonly SearchConfiguration Parent = Table2.Configuration([(8, 3, true)], [16], learningRate: 3e-3, batchSize: 32);
    private static readonly TrialId ParentTrial = new(1, 2);

    private readonly ITestOutputHelper _output;
    private readonly IdxFiles _files = new();
    private readonly FashionMnistWorkload _workload;

    public BulkAndCutWorkloadTests(ITestOutputHelper output)
    {
        _output = output;
        // 320 training images in 10 batches of 32: a parent trains 2 epochs in a moment.
        _files.WriteFashionMnist(train: 400, test: 100);
        _workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = _files.Directory, ImageSize = 16, Seed = 3 } });
    }

    public void Dispose()
    {
        _workload.Dispose();
        _files.Dispose();
    }

    [Fact]
    public void A_widened_child_starts_from_its_parents_weights_and_writes_its_own_checkpoint()
    {
        using var store = new TempCheckpointStore();
        var parent = _workload.Run(new TrialRequest(ParentTrial, Parent, 1, 0, null), Context(store));
        var child = Table2.Configuration([(16, 3, true)], [16], learningRate: 1e-3, batchSize: 32);
        var request = new TrialRequest(new TrialId(2, 0.1), child, 2, 1, null, new TrialLineage(ParentTrial, Parent, "wider filters_1"));

        var inherited = _workload.Run(request, Context(store));
        using var emptyStore = new TempCheckpointStore();
        var progress = new List<WorkloadProgress>();
        var scratch = _workload.Run(request, Context(emptyStore, progress));

        var parentError = parent.Metrics[FashionMnistWorkload.ValidationError];
        var inheritedError = inherited.Metrics[FashionMnistWorkload.ValidationError];
        var scratchError = scratch.Metrics[FashionMnistWorkload.ValidationError];
        _output.WriteLine($"val-error: parent after 2 epochs {parentError:F3}; widened child after one batch {inheritedError:F3} with the parent's weights, {scratchError:F3} from scratch");
        Assert.Equal(1, inherited.Metrics[FashionMnistWorkload.Inherited]);
        Assert.Equal(0, inherited.Metrics[FashionMnistWorkload.Distilled]);
        Assert.Equal(0, scratch.Metrics[FashionMnistWorkload.Inherited]);
        Assert.Contains(progress, p => p.Note?.Contains("no checkpoint of parent trial-1-b2", StringComparison.Ordinal) == true);
        // One batch cannot teach a fresh network what the parent learnt in two epochs; the child starts where the parent is.
        Assert.True(inheritedError <= parentError + 0.1, $"the widened child's error {inheritedError} is far from its parent's {parentError}");
        Assert.True(inheritedError < scratchError - 0.3, $"inheriting gave {inheritedError}, training from scratch {scratchError}");
        Assert.Equal(["trial-1-b2.ckpt", "trial-2-b0.1.ckpt"], store.Files());
    }

    [Fact]
    public void A_pruned_child_is_distilled_from_its_parent_also_when_it_resumes()
    {
        using var store = new TempCheckpointStore();
        var parent = _workload.Run(new TrialRequest(ParentTrial, Parent, 1, 0, null), Context(store));
        var child = Table2.Configuration([(5, 3, true)], [16], learningRate: 3e-3, batchSize: 32);
        var request = new TrialRequest(new TrialId(3, 1), child, 3, 2, null, new TrialLineage(ParentTrial, Parent, "prune filters_1"));

        var pruned = _workload.Run(request, Context(store));
        var resumed = _workload.Run(request, Context(store));

        Assert.Equal(1, pruned.Metrics[FashionMnistWorkload.Inherited]);
        Assert.Equal(1, pruned.Metrics[FashionMnistWorkload.Distilled]);
        Assert.Equal(1, resumed.Metrics[FashionMnistWorkload.Distilled]);
        Assert.Equal(0, resumed.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.True(pruned.Metrics[FashionMnistWorkload.ParameterCount] < 0.7 * parent.Metrics[FashionMnistWorkload.ParameterCount]);
        Assert.Contains("trial-3-b1.ckpt", store.Files());
    }

    private static WorkloadContext Context(ICheckpointStore store, List<WorkloadProgress>? progress = null) =>
        new("cpu-0", p => progress?.Add(p), CancellationToken.None) { Checkpoints = store };
}
