using System.Diagnostics;
using NasHpo.Core.Fidelity;
using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads;
using NasHpo.Training.Checkpoints;
using NasHpo.Training.Data;
using Xunit.Abstractions;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

/// <summary>A checkpoint folder in the temporary directory: one file per trial, as the engine's store keeps them.</summary>
internal sealed class TempCheckpointStore : ICheckpointStore, IDisposable
{
    public TempCheckpointStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "nashpo-checkpoints-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathFor(TrialId trial) => Path.Combine(Directory, trial + ".ckpt");

    public string[] Files() => System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public sealed class CheckpointTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private static readonly SearchConfiguration TinyNet = Table2.Configuration([(8, 3, true)], [32], learningRate: 3e-3, batchSize: 32);

    private readonly IdxFiles _files = new();
    private readonly FashionMnistWorkload _workload;

    // One intra-op thread: these tests compare training runs bit for bit, and a thread count that another test
    // class or a busy machine changes between two runs would change the order floating-point sums are taken in.
    static CheckpointTests() => TorchSharp.torch.set_num_threads(1);

    public CheckpointTests(ITestOutputHelper output)
    {
        _output = output;
        // 400 images: 320 for training, i.e. 10 batches of 32 per epoch; small enough for the whole class to run in seconds.
        _files.WriteFashionMnist(train: 400, test: 100);
        _workload = Workload(seed: 7);
    }

    public void Dispose()
    {
        _workload.Dispose();
        _files.Dispose();
    }

    [Fact]
    public void A_promoted_trial_continues_from_its_parent_and_trains_only_the_epochs_above_the_parent_budget()
    {
        using var store = new TempCheckpointStore();
        Run(Request(1), store);
        var progress = new List<WorkloadProgress>();

        var continued = Run(Request(3, parent: 1), store, progress);

        Assert.Equal(2.0, continued.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(1.0, continued.Metrics[FashionMnistWorkload.StartEpoch]);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, progress.Select(p => p.Done));
        Assert.Contains("continuing from the checkpoint of trial-1-b1 at epoch 1", progress[0].Note, StringComparison.Ordinal);
        Assert.Equal(3.0, TrainingCheckpoint.ReadPosition(store.PathFor(Id(3))).EpochsDone);

        // As the papers did: the child's own checkpoint removed, and continuation switched off, it retrains all 3 epochs.
        File.Delete(store.PathFor(Id(3)));
        var fromScratch = Run(Request(3, parent: 1), store, continueFromParent: false);

        Assert.Equal(3.0, fromScratch.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(0.0, fromScratch.Metrics[FashionMnistWorkload.StartEpoch]);
    }

    [Fact]
    public void Without_a_parent_checkpoint_a_promoted_trial_trains_from_scratch()
    {
        using var store = new TempCheckpointStore();

        var result = Run(Request(2, parent: 1), store);

        Assert.Equal(2.0, result.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(0.0, result.Metrics[FashionMnistWorkload.StartEpoch]);
    }

    [Theory]
    [InlineData(1.0, 2.0)]
    [InlineData(1.5, 2.5)] // the parent stops in the middle of epoch 2; the child picks up at that very batch
    public void Continuing_gives_the_same_weights_as_training_straight_through(double parentBudget, double budget)
    {
        using var straightStore = new TempCheckpointStore();
        using var continuedStore = new TempCheckpointStore();

        var straight = Run(Request(budget), straightStore);
        Run(Request(parentBudget), continuedStore);
        var continued = Run(Request(budget, parent: parentBudget), continuedStore);

        Assert.Equal(parentBudget, continued.Metrics[FashionMnistWorkload.StartEpoch], precision: 12);
        Assert.Equal(budget - parentBudget, continued.Metrics[FashionMnistWorkload.EpochsTrained], precision: 12);
        // libtorch's CPU kernels are deterministic for a fixed thread count, and initial weights, data order and
        // optimizer state all travel in the checkpoint: the two runs end bit for bit alike, so compare exactly.
        Assert.Equal(straight.Metrics[FashionMnistWorkload.ValidationError], continued.Metrics[FashionMnistWorkload.ValidationError]);
        Assert.Equal(straight.Metrics[FashionMnistWorkload.TestError], continued.Metrics[FashionMnistWorkload.TestError]);
        Assert.Equal(straight.Metrics["train-loss"], continued.Metrics["train-loss"]);
        // The files hold the position, the weights (and batch-norm statistics) and Adam's moments: all equal.
        Assert.Equal(File.ReadAllBytes(straightStore.PathFor(Id(budget))), File.ReadAllBytes(continuedStore.PathFor(Id(budget))));
    }

    [Fact]
    public void An_interrupted_trial_resumes_from_its_last_completed_epoch()
    {
        using var store = new TempCheckpointStore();
        using var cancellation = new CancellationTokenSource();
        var progress = new List<WorkloadProgress>();
        var context = new WorkloadContext(
            "cpu-0",
            p =>
            {
                progress.Add(p);
                if (p.Done >= 1)
                {
                    // As a kill would: right after epoch 1 was saved, before epoch 2 finishes.
                    cancellation.Cancel();
                }
            },
            cancellation.Token)
        { Checkpoints = store };

        Assert.ThrowsAny<OperationCanceledException>(() => _workload.Run(Request(3), context));
        Assert.Equal(1.0, TrainingCheckpoint.ReadPosition(store.PathFor(Id(3))).EpochsDone);

        var resumedProgress = new List<WorkloadProgress>();
        var resumed = Run(Request(3), store, resumedProgress);

        Assert.Equal(1.0, resumed.Metrics[FashionMnistWorkload.StartEpoch]);
        Assert.Equal(2.0, resumed.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Contains("resuming this trial from its own checkpoint at epoch 1", resumedProgress[0].Note, StringComparison.Ordinal);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, resumedProgress.Select(p => p.Done));

        using var straightStore = new TempCheckpointStore();
        var straight = Run(Request(3), straightStore);
        Assert.Equal(straight.Metrics[FashionMnistWorkload.ValidationError], resumed.Metrics[FashionMnistWorkload.ValidationError]);
    }

    [Fact]
    public void A_finished_trial_run_again_only_evaluates()
    {
        using var store = new TempCheckpointStore();
        var first = Run(Request(2), store);

        var again = Run(Request(2), store);

        Assert.Equal(0.0, again.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(2.0, again.Metrics[FashionMnistWorkload.StartEpoch]);
        Assert.Equal(first.Metrics[FashionMnistWorkload.ValidationError], again.Metrics[FashionMnistWorkload.ValidationError]);
        Assert.Equal(first.Metrics["train-loss"], again.Metrics["train-loss"]);
    }

    [Fact]
    public void A_truncated_checkpoint_fails_with_a_clear_reason()
    {
        using var store = new TempCheckpointStore();
        Run(Request(1), store);
        var path = store.PathFor(Id(1));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidCheckpointException>(() => Run(Request(1), store));

        Assert.Contains("is truncated or damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_checkpoint_fails_with_a_clear_reason()
    {
        using var store = new TempCheckpointStore();
        Run(Request(1), store);
        var path = store.PathFor(Id(1));
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidCheckpointException>(() => Run(Request(2, parent: 1), store));

        Assert.Contains("do not match the checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_no_checkpoint_fails_with_a_clear_reason()
    {
        using var store = new TempCheckpointStore();
        File.WriteAllText(store.PathFor(Id(1)), "not a checkpoint");

        var error = Assert.Throws<InvalidCheckpointException>(() => Run(Request(1), store));

        Assert.Contains("is not a training checkpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_of_another_configuration_is_refused()
    {
        using var store = new TempCheckpointStore();
        Run(Request(1), store);
        var other = Table2.Configuration([(8, 3, true)], [32], learningRate: 1e-3, batchSize: 32);
        var request = new TrialRequest(Id(2), other, Bracket: 0, Rung: 1, Parent: Id(1));

        var error = Assert.Throws<InvalidCheckpointException>(() => _workload.Run(request, Context(store)));

        Assert.Contains("belongs to the configuration with fingerprint", error.Message, StringComparison.Ordinal);
        Assert.Contains(other.Fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_written_with_other_data_settings_is_refused()
    {
        using var store = new TempCheckpointStore();
        Run(Request(1), store);
        using var reseeded = Workload(seed: 8);

        var error = Assert.Throws<InvalidCheckpointException>(() => reseeded.Run(Request(2, parent: 1), Context(store)));

        Assert.Contains("was written with other data settings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoints_are_replaced_atomically_and_leave_no_temporary_files()
    {
        using var store = new TempCheckpointStore();
        var path = store.PathFor(Id(3));
        // What a writer killed mid-write leaves behind: a temporary file next to the checkpoint.
        var stale = path + ".0123456789abcdef.tmp";
        File.WriteAllText(stale, "torn");
        var written = new List<double>();
        var context = new WorkloadContext("cpu-0", _ => written.Add(TrainingCheckpoint.ReadPosition(path).EpochsDone), CancellationToken.None) { Checkpoints = store };

        _workload.Run(Request(3), context);

        // The checkpoint was whole and up to date at every progress report, and one file per trial remains.
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, written);
        Assert.Equal(new[] { Path.GetFileName(path) }, store.Files());
    }

    [Fact]
    public void Without_a_checkpoint_store_nothing_is_written()
    {
        var result = _workload.Run(Request(1), new WorkloadContext("cpu-0", _ => { }, CancellationToken.None));

        Assert.Equal(1.0, result.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(0.0, result.Metrics[FashionMnistWorkload.StartEpoch]);
    }

    [Theory]
    [InlineData(9.0, 27.0, 21.0, 78.0, 69.0)] // budgets 1..9: bracket 9@1, 3@3, 1@9
    [InlineData(27.0, 108.0, 81.0, 423.0, 357.0)] // budgets 1..27: bracket 27@1, 9@3, 3@9, 1@27
    public void Continuation_saves_the_epochs_the_parents_already_trained(double maxBudget, double bracketScratch, double bracketContinued, double iterationScratch, double iterationContinued)
    {
        var schedule = new HyperbandSchedule(1, maxBudget, 3);

        // From scratch every rung trains its whole budget; continued, rung i trains only b_i - b_(i-1) on top of its parent.
        static double Continued(BracketPlan bracket) =>
            bracket.Rungs.Select((rung, i) => rung.Configurations * (rung.Budget - (i == 0 ? 0 : bracket.Rungs[i - 1].Budget))).Sum();

        var widest = schedule.Brackets[0];
        Assert.Equal(bracketScratch, widest.BudgetFromScratch, precision: 9);
        Assert.Equal(bracketContinued, Continued(widest), precision: 9);
        Assert.Equal(iterationScratch, schedule.Brackets.Sum(b => b.BudgetFromScratch), precision: 9);
        Assert.Equal(iterationContinued, schedule.Brackets.Sum(Continued), precision: 9);
        _output.WriteLine($"budgets 1..{maxBudget}, eta 3: widest bracket {bracketScratch} -> {bracketContinued} epochs; one Hyperband iteration {iterationScratch} -> {iterationContinued} epochs ({1 - (iterationContinued / iterationScratch):P1} saved)");
    }

    [RealFashionMnistFact]
    public void On_real_images_a_promoted_trial_continued_from_budget_1_trains_two_of_three_epochs()
    {
        using var workload = new FashionMnistWorkload(new FashionMnistWorkloadOptions
        {
            Data = new FashionMnistOptions { TrainingSubset = 1024, ValidationSubset = 512, TestSubset = 512, ImageSize = 16, Seed = 1 },
        });
        using var store = new TempCheckpointStore();
        using var scratchStore = new TempCheckpointStore();
        workload.Run(Request(1), Context(store));

        var stopwatch = Stopwatch.StartNew();
        var continued = workload.Run(Request(3, parent: 1), Context(store));
        var continuedSeconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        var fromScratch = workload.Run(Request(3, parent: 1), Context(scratchStore, continueFromParent: false));
        var scratchSeconds = stopwatch.Elapsed.TotalSeconds;
        _output.WriteLine($"budget 3 on 1024 real 16x16 images: continued from budget 1 {continuedSeconds:F2} s (training {continued.Metrics["train-time-s"]:F2} s, val-error {continued.Metrics[FashionMnistWorkload.ValidationError]:F3}); from scratch {scratchSeconds:F2} s (training {fromScratch.Metrics["train-time-s"]:F2} s, val-error {fromScratch.Metrics[FashionMnistWorkload.ValidationError]:F3})");

        Assert.Equal(2.0, continued.Metrics[FashionMnistWorkload.EpochsTrained]);
        Assert.Equal(3.0, fromScratch.Metrics[FashionMnistWorkload.EpochsTrained]);
        // Continuation changes the cost, not the result. The bit-for-bit check lives in the tests on synthetic data;
        // here libtorch's multi-threaded kernels may sum in another order when the machine is busy, so the two runs
        // agree closely rather than exactly.
        Assert.InRange(
            Math.Abs(fromScratch.Metrics[FashionMnistWorkload.ValidationError] - continued.Metrics[FashionMnistWorkload.ValidationError]),
            0.0,
            0.05);
    }

    private FashionMnistWorkload Workload(long seed) =>
        new(new FashionMnistWorkloadOptions { Data = new FashionMnistOptions { DataDirectory = _files.Directory, ImageSize = 16, Seed = seed } });

    private static TrialId Id(double budget) => new(1, budget);

    private static TrialRequest Request(double budget, double? parent = null) =>
        new(Id(budget), TinyNet, Bracket: 0, Rung: parent is null ? 0 : 1, parent is { } p ? Id(p) : null);

    private static WorkloadContext Context(ICheckpointStore store, List<WorkloadProgress>? progress = null, bool continueFromParent = true) =>
        new("cpu-0", p => progress?.Add(p), CancellationToken.None) { Checkpoints = store, ContinueFromParent = continueFromParent };

    private WorkloadResult Run(TrialRequest request, ICheckpointStore store, List<WorkloadProgress>? progress = null, bool continueFromParent = true) =>
        _workload.Run(request, Context(store, progress, continueFromParent));
}
