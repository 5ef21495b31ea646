using System.Diagnostics;
using System.Globalization;
using NasHpo.Core.Randomness;
using NasHpo.Core.Workloads;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>What a training budget counts.</summary>
internal enum TrainingBudgetKind
{
    /// <summary>Passes over the training set; a fractional budget trains that share of the last epoch.</summary>
    Epochs,

    /// <summary>Wall-clock seconds of training (evaluation not included), as paper 000's 400 s to 3 h budgets.</summary>
    Seconds,
}

/// <summary>How long to train: a positive, finite number of epochs or of training seconds.</summary>
internal sealed record TrainingBudget
{
    private TrainingBudget(TrainingBudgetKind kind, double amount)
    {
        if (!(amount > 0) || !double.IsFinite(amount))
        {
            throw new ArgumentException($"a budget of {kind.ToString().ToLowerInvariant()} must be positive and finite, not {amount.ToString("R", CultureInfo.InvariantCulture)}");
        }

        Kind = kind;
        Amount = amount;
    }

    public TrainingBudgetKind Kind { get; }

    public double Amount { get; }

    public static TrainingBudget Epochs(double epochs) => new(TrainingBudgetKind.Epochs, epochs);

    public static TrainingBudget Seconds(double seconds) => new(TrainingBudgetKind.Seconds, seconds);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Amount} {(Kind == TrainingBudgetKind.Epochs ? "epochs" : "s")}");
}

/// <summary>Where and how <see cref="ResidualTraining"/> runs.</summary>
internal sealed record ResidualTrainingOptions
{
    /// <summary>Where the network and the batches live; the CPU when null. The network must already be there.</summary>
    public Device? Device { get; init; }

    /// <summary>Seeds the batch order (and, in <see cref="ResidualTraining.Run"/>, the initial weights).</summary>
    public ulong Seed { get; init; }

    /// <summary>Images per forward pass when evaluating: only memory, not the result, depends on it.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Told after every epoch and when training stops; <c>Done</c> and <c>Total</c> are in the budget's unit.</summary>
    public Action<WorkloadProgress>? Progress { get; init; }

    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a training run produced: the validation accuracy, the network's cost, and how much was trained.</summary>
internal sealed record ResidualTrainingResult(
    double ValidationAccuracy,
    long Parameters,
    long MultiplyAccumulates,
    long Batches,
    long Images,
    double Epochs,
    double TrainingSeconds,
    double LastLoss,
    double FinalLearningRate);

/// <summary>
/// Trains a <see cref="ResidualNet"/> as paper 000 did: SGD with momentum (no Nesterov) and weight decay on every
/// parameter, the learning rate annealed by a cosine from its initial value towards 0 over the budget (in batches
/// for an epoch budget, in elapsed training time for a seconds budget), cutout on every training batch; then the
/// validation accuracy. Synchronous and Akka-free, like the workloads that will call it.
/// </summary>
internal static class ResidualTraining
{
    /// <summary>lr(p) = lr0 · ½ (1 + cos(π p)), with p the share of the budget used, clamped to [0, 1].</summary>
    public static double CosineLearningRate(double initial, double progress) =>
        initial * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(progress, 0, 1)));

    /// <summary>Builds the network, initialises it from the options' seed for the images' shape, trains and evaluates it.</summary>
    public static ResidualTrainingResult Run(ResidualNetSpec spec, LabeledImages training, LabeledImages validation, TrainingBudget budget, ResidualTrainingOptions? options = null, int classes = FashionMnist.Classes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(training);
        options ??= new ResidualTrainingOptions();
        using (var net = ResidualNetBuilder.Build(spec, (int)training.Images.shape[2], (int)training.Images.shape[1], classes, options.Device))
        {
            SeededInitialization.Apply(net.Module, options.Seed);
            return Train(net, training, validation, budget, options);
        }
    }

    public static ResidualTrainingResult Train(ResidualNet net, LabeledImages training, LabeledImages validation, TrainingBudget budget, ResidualTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(budget);
        options ??= new ResidualTrainingOptions();
        if (training.Count < 1 || validation.Count < 1)
        {
            throw new ArgumentException($"training needs at least one training and one validation image, not {training.Count} and {validation.Count}");
        }

        var device = options.Device ?? CPU;
        var spec = net.Spec;
        var batchSize = Math.Min(spec.BatchSize, training.Count);
        var batchesPerEpoch = (training.Count + batchSize - 1) / batchSize;
        // An epoch budget is a number of batches, so the cosine runs over batches; a seconds budget has no such
        // count, so it runs over elapsed time and training stops at the first batch that would start past it.
        var totalBatches = budget.Kind == TrainingBudgetKind.Epochs ? Math.Max(1, (long)Math.Round(budget.Amount * batchesPerEpoch)) : long.MaxValue;

        using var optimizer = optim.SGD(net.Module.parameters(), spec.LearningRate, momentum: spec.Momentum, weight_decay: spec.WeightDecay, nesterov: false);
        using var lossFunction = nn.CrossEntropyLoss();
        var shuffle = new DeterministicRandom(options.Seed);
        var order = new long[training.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Shake-Shake, ShakeDrop and Cutout draw from this private generator rather than libtorch's global one, which
        // other threads (other devices' trials) draw from at the same time.
        using var noise = new Generator(StableHash.Combine(options.Seed, StableHash.Of("regularisation-noise")), CPU);
        using var noiseInUse = net.Module.UseNoise(noise);
        net.Module.train();
        var stopwatch = Stopwatch.StartNew();
        long batches = 0;
        long images = 0;
        var lastLoss = double.NaN;
        var learningRate = spec.LearningRate;
        var epoch = 0;
        var done = false;
        while (!done)
        {
            epoch++;
            shuffle.Shuffle(order);
            double lossSum = 0;
            var epochBatches = 0;
            for (var b = 0; b < batchesPerEpoch; b++)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                var progress = budget.Kind == TrainingBudgetKind.Epochs
                    ? (double)batches / totalBatches
                    : stopwatch.Elapsed.TotalSeconds / budget.Amount;
                if (batches >= totalBatches || progress >= 1)
                {
                    done = true;
                    break;
                }

                learningRate = CosineLearningRate(spec.LearningRate, progress);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                using var scope = NewDisposeScope();
                var count = Math.Min(batchSize, training.Count - (b * batchSize));
                var indices = tensor(order.AsSpan(b * batchSize, count).ToArray());
                var batch = training.Images.index_select(0, indices).to(device);
                var labels = training.Labels.index_select(0, indices).to(device);
                if (spec.CutoutLength > 0)
                {
                    batch = Cutout.Apply(batch, spec.CutoutLength, noise);
                }

                var loss = lossFunction.forward(net.Module.forward(batch), labels);
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new TrainingDivergedException(
                        $"training diverged: the loss became {value} in epoch {epoch}, batch {b + 1} of {batchesPerEpoch} " +
                        $"(learning rate {learningRate.ToString("R", CultureInfo.InvariantCulture)} of {spec.LearningRate.ToString("R", CultureInfo.InvariantCulture)}, batch size {batchSize})");
                }

                optimizer.zero_grad();
                loss.backward();
                // Not optimizer.step(): it lets the garbage collector free Scalars libtorch is still reading.
                OptimizerSteps.Step(optimizer);
                lossSum += value;
                epochBatches++;
                batches++;
                images += count;
            }

            done |= batches >= totalBatches;
            if (epochBatches == 0)
            {
                // The budget ran out before this epoch's first batch: nothing to report.
                continue;
            }

            lastLoss = lossSum / epochBatches;
            var used = budget.Kind == TrainingBudgetKind.Epochs
                ? Math.Min(budget.Amount, (double)batches / batchesPerEpoch)
                : Math.Min(budget.Amount, stopwatch.Elapsed.TotalSeconds);
            options.Progress?.Invoke(new WorkloadProgress(
                used,
                budget.Amount,
                string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: training loss {lastLoss:F4}, learning rate {learningRate:G3}")));
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var accuracy = Accuracy(net, validation, device, options);
        return new ResidualTrainingResult(
            accuracy,
            net.Parameters,
            net.MultiplyAccumulates,
            batches,
            images,
            (double)batches / batchesPerEpoch,
            seconds,
            lastLoss,
            learningRate);
    }

    private static double Accuracy(ResidualNet net, LabeledImages set, Device device, ResidualTrainingOptions options)
    {
        net.Module.eval();
        using var noGrad = no_grad();
        long correct = 0;
        var batch = Math.Max(1, options.EvaluationBatchSize);
        for (var start = 0; start < set.Count; start += batch)
        {
            options.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var length = Math.Min(batch, set.Count - start);
            var images = set.Images.narrow(0, start, length).to(device);
            var labels = set.Labels.narrow(0, start, length).to(device);
            correct += net.Module.forward(images).argmax(1).eq(labels).sum().item<long>();
        }

        return (double)correct / set.Count;
    }
}
