using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Randomness;
using NasHpo.Core.Workloads;
using NasHpo.Training.Checkpoints;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>
/// The Table 2 network's training loop (Adam, batches in a seeded order per epoch, a checkpoint after every epoch,
/// optional distillation from a teacher) and the choice of the checkpoint a trial starts from.
/// </summary>
internal static class ConvNetTraining
{
    /// <summary>
    /// Which checkpoint this run writes, and which one it starts from: its own (an interrupted run of this very trial),
    /// else its parent's (the same configuration at the budget below) when continuation is on, else none.
    /// </summary>
    internal static CheckpointPlan? ChooseCheckpoints(TrialRequest request, WorkloadContext context)
    {
        if (context.Checkpoints is not { } store)
        {
            return null;
        }

        var own = store.PathFor(request.Id);
        // A kill -9 during a write leaves its temporary file behind; the checkpoint itself is whole either way.
        TrainingCheckpoint.RemoveStaleTemporaries(own);
        if (File.Exists(own))
        {
            return new CheckpointPlan(own, own, "resuming this trial from its own checkpoint");
        }

        if (context.ContinueFromParent && request.Parent is { } parent)
        {
            var parentPath = store.PathFor(parent);
            if (File.Exists(parentPath))
            {
                return new CheckpointPlan(own, parentPath, $"continuing from the checkpoint of {parent}");
            }
        }

        return new CheckpointPlan(own, null, null);
    }

    /// <summary>
    /// Adam for the budget: a number of batches for an epoch budget; for a seconds budget, until the first batch that
    /// would start at or after that many seconds of training (Adam has no schedule to fit to the time, so it simply
    /// stops; at most one batch over).
    /// </summary>
    internal static TrainingOutcome Train(ConvNet net, LabeledImages training, TrainingBudget trainingBudget, Device device, ulong seed, ulong fingerprint, CheckpointPlan? checkpoint, WorkloadContext context, nn.Module<Tensor, Tensor>? teacher = null)
    {
        var distillation = new Distillation();
        var budget = trainingBudget.Amount;
        var timed = trainingBudget.Kind == TrainingBudgetKind.Seconds;
        var batchSize = Math.Min(net.Spec.BatchSize, training.Count);
        var batchesPerEpoch = (training.Count + batchSize - 1) / batchSize;
        var totalBatches = timed ? long.MaxValue : Math.Max(1, (long)Math.Round(budget * batchesPerEpoch));
        // Only an epoch budget knows how many epochs there will be.
        var epochs = timed ? 0 : (int)((totalBatches + batchesPerEpoch - 1) / batchesPerEpoch);
        var clock = Stopwatch.StartNew();
        var timeUp = false;

        using var optimizer = optim.Adam(net.Module.parameters(), lr: net.Spec.LearningRate);
        using var lossFunction = nn.CrossEntropyLoss();

        var lastMeanLoss = double.NaN;
        long done = 0;
        if (checkpoint?.StartFrom is { } startFrom)
        {
            var position = TrainingCheckpoint.Restore(startFrom, fingerprint, net.Module, optimizer);
            if (position.Seed != seed || position.BatchSize != batchSize || position.TrainingImages != training.Count || position.BatchesPerEpoch != batchesPerEpoch)
            {
                throw new InvalidCheckpointException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"checkpoint '{startFrom}' was written with other data settings (seed {position.Seed:x16}, {position.TrainingImages} training images in batches of {position.BatchSize}) " +
                    $"than this run uses (seed {seed:x16}, {training.Count} images in batches of {batchSize}); its data order cannot be continued"));
            }

            if (position.BatchesDone > totalBatches)
            {
                throw new InvalidCheckpointException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"checkpoint '{startFrom}' has trained {position.EpochsDone:R} epochs, more than this trial's budget of {budget:R}"));
            }

            done = position.BatchesDone;
            lastMeanLoss = position.LastLoss;
            context.ReportProgress(new WorkloadProgress(
                Math.Min(budget, position.EpochsDone),
                budget,
                string.Create(CultureInfo.InvariantCulture, $"{checkpoint.Note} at epoch {position.EpochsDone:0.###}")));
        }

        var startBatches = done;
        net.Module.train();
        while (done < totalBatches && !timeUp)
        {
            // The position is counted in batches, so a fractional budget stops (and a later run resumes) inside an epoch.
            var epoch = (int)(done / batchesPerEpoch) + 1;
            var first = (int)(done % batchesPerEpoch);
            var batches = (int)Math.Min(batchesPerEpoch - first, totalBatches - done);
            var order = EpochOrder(seed, epoch, training.Count);
            double lossSum = 0;
            var trainedBatches = 0;
            for (var b = first; b < first + batches; b++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                if (timed && clock.Elapsed.TotalSeconds >= budget)
                {
                    timeUp = true;
                    break;
                }

                using var scope = NewDisposeScope();
                var count = Math.Min(batchSize, training.Count - (b * batchSize));
                using var indices = tensor(order.AsSpan(b * batchSize, count).ToArray());
                var images = training.Images.index_select(0, indices).to(device);
                var labels = training.Labels.index_select(0, indices).to(device);
                var logits = net.Module.forward(images);
                Tensor loss;
                if (teacher is null)
                {
                    loss = lossFunction.forward(logits, labels);
                }
                else
                {
                    Tensor teacherLogits;
                    using (no_grad())
                    {
                        teacherLogits = teacher.forward(images);
                    }

                    loss = distillation.Loss(logits, teacherLogits, labels);
                }

                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new TrainingDivergedException(
                        $"training diverged: the loss became {value} in epoch {epoch}, batch {b + 1} of {batchesPerEpoch} " +
                        $"(learning rate {net.Spec.LearningRate.ToString("R", CultureInfo.InvariantCulture)}, batch size {batchSize})");
                }

                optimizer.zero_grad();
                try
                {
                    loss.backward();
                    // Not optimizer.step(): it lets the garbage collector free Scalars libtorch is still reading.
                    OptimizerSteps.Step(optimizer);
                }
                catch (ExternalException error) when (LibTorchErrors.IsNumericOverflow(error))
                {
                    // A finite loss whose update no longer fits a float (an absurd learning rate): divergence too.
                    throw new TrainingDivergedException(
                        $"training diverged: the update overflowed in epoch {epoch}, batch {b + 1} of {batchesPerEpoch} " +
                        $"(learning rate {net.Spec.LearningRate.ToString("R", CultureInfo.InvariantCulture)}, batch size {batchSize}; libtorch: {LibTorchErrors.FirstLine(error)})",
                        error);
                }

                lossSum += value;
                trainedBatches++;
            }

            if (trainedBatches == 0)
            {
                // The time ran out before this epoch's first batch: nothing to record.
                break;
            }

            done += trainedBatches;
            lastMeanLoss = lossSum / trainedBatches;
            if (checkpoint is not null)
            {
                // Written before the progress report, so whatever a display or journal learns has already been saved:
                // a kill -9 from here on loses at most the epoch in flight.
                TrainingCheckpoint.Write(
                    checkpoint.Path,
                    new TrainingPosition(fingerprint, seed, done, batchesPerEpoch, batchSize, training.Count, lastMeanLoss),
                    net.Module,
                    optimizer);
            }

            context.ReportProgress(timed
                ? new WorkloadProgress(
                    Math.Min(budget, clock.Elapsed.TotalSeconds),
                    budget,
                    string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: training loss {lastMeanLoss:F4}"))
                : new WorkloadProgress(
                    Math.Min(budget, (double)done / batchesPerEpoch),
                    budget,
                    string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}: training loss {lastMeanLoss:F4}")));
        }

        return new TrainingOutcome(lastMeanLoss, (double)startBatches / batchesPerEpoch, (double)(done - startBatches) / batchesPerEpoch);
    }

    /// <summary>
    /// The order of the training images in one epoch (1-based), a function of the trial's seed and the epoch alone:
    /// a run that resumes at epoch e from a checkpoint sees the same order as one that trained straight through.
    /// </summary>
    internal static long[] EpochOrder(ulong seed, int epoch, int count)
    {
        var order = new long[count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new DeterministicRandom(StableHash.Combine(seed, StableHash.Of("epoch-order"), (ulong)epoch)).Shuffle(order);
        return order;
    }
}

/// <param name="Path">The checkpoint this trial writes after every epoch.</param>
/// <param name="StartFrom">The checkpoint it starts from (its own or its parent's), or null to train from scratch.</param>
/// <param name="Note">What starting from it means, for the progress report.</param>
internal sealed record CheckpointPlan(string Path, string? StartFrom, string? Note);

/// <param name="LastLoss">Mean training loss of the last epoch trained (the checkpoint's when nothing was left to train).</param>
/// <param name="StartEpoch">Epochs done when this run began.</param>
/// <param name="EpochsTrained">Epochs this run trained.</param>
internal sealed record TrainingOutcome(double LastLoss, double StartEpoch, double EpochsTrained);

/// <summary>The training loss became NaN or infinite: the trial fails with this reason.</summary>
internal sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException()
    {
    }

    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
