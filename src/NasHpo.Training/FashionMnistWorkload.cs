using System.Diagnostics;
using System.Globalization;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Randomness;
using NasHpo.Core.Workloads;
using NasHpo.Training.Checkpoints;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>How <see cref="FashionMnistWorkload"/> loads data, builds networks and reports.</summary>
internal sealed record FashionMnistWorkloadOptions
{
    public FashionMnistOptions Data { get; init; } = new();

    /// <summary>
    /// One's own images (IDX, .npy, an image folder) instead of Fashion-MNIST: <see cref="Data"/> is then unused, and
    /// the networks' input channels and output classes follow the data.
    /// </summary>
    public ImageDataOptions? ImageData { get; init; }

    /// <summary>
    /// The objectives, in order, out of <c>val-error</c>, <c>params</c>, <c>flops</c> (multiply-accumulates of one
    /// forward pass) and <c>latency-ms</c> (median inference time of one batch). Whatever is not an objective is still recorded as a metric, as is <c>test-error</c>.
    /// </summary>
    public IReadOnlyList<string> Objectives { get; init; } = [FashionMnistWorkload.ValidationError, FashionMnistWorkload.ParameterCount];

    public ConvPadding Padding { get; init; } = ConvPadding.Same;

    /// <summary>Images per forward pass when evaluating: only memory, not the result, depends on it.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>The network family the configurations describe.</summary>
    public NetworkModel Model { get; init; } = NetworkModel.ConvNet;

    /// <summary>What a trial's budget counts: epochs, or seconds of training (evaluation not included).</summary>
    public TrainingBudgetKind BudgetUnit { get; init; } = TrainingBudgetKind.Epochs;

    /// <summary>Images in the batch whose inference time is the <c>latency-ms</c> metric.</summary>
    public int LatencyBatchSize { get; init; } = InferenceLatency.DefaultBatchSize;
}

/// <summary>The networks <see cref="FashionMnistWorkload"/> builds from a configuration.</summary>
internal enum NetworkModel
{
    /// <summary>Paper 001's Table 2 network (hocon/spaces/joint-nas-hpo-table2.conf), trained with Adam.</summary>
    ConvNet,

    /// <summary>Paper 000's multi-branch residual network (hocon/spaces/bohb-resnet-000.conf), trained with SGD and a cosine schedule.</summary>
    Residual,
}

/// <summary>
/// Builds the network of a configuration (the Table 2 convnet, trained with Adam, or paper 000's residual network,
/// trained by <see cref="ResidualTraining"/>), times its inference, trains it on Fashion-MNIST or one's own images
/// (<see cref="FashionMnistWorkloadOptions.ImageData"/>) for the trial's budget
/// (epochs, a fractional budget training that share of the last epoch, or seconds of training), then measures the
/// validation and test error. Synchronous and Akka-free: the engine runs it on a device's own thread.
/// </summary>
internal sealed class FashionMnistWorkload : IWorkload, ICheapObjectives, IDisposable
{
    public const string ValidationError = "val-error";
    public const string ParameterCount = "params";
    public const string Flops = "flops";
    public const string TestError = "test-error";

    /// <summary>Median milliseconds to classify one batch (<see cref="FashionMnistWorkloadOptions.LatencyBatchSize"/> images) with the untrained network.</summary>
    public const string LatencyMs = "latency-ms";

    /// <summary>Metric: epochs this run trained (less than the budget when it resumed or continued from a checkpoint).</summary>
    public const string EpochsTrained = "epochs-trained";

    /// <summary>Metric: epochs already trained when this run began (0 from scratch, the parent's budget when continued).</summary>
    public const string StartEpoch = "start-epoch";

    /// <summary>Metric: 1 when a BULK &amp; CUT child started from its parent's weights, 0 when it trained from scratch.</summary>
    public const string Inherited = "inherited";

    /// <summary>Metric: 1 when a cut-down child was trained by distillation from its parent, else 0.</summary>
    public const string Distilled = "distilled";

    private readonly FashionMnistWorkloadOptions _options;
    private readonly Lazy<ImageDataset> _data;

    public FashionMnistWorkload(FashionMnistWorkloadOptions? options = null)
    {
        _options = options ?? new FashionMnistWorkloadOptions();
        Objectives = _options.Objectives.Select(ToObjective).ToArray();
        if (Objectives.Count == 0)
        {
            throw new ArgumentException("the Fashion-MNIST workload needs at least one objective");
        }

        // Loaded once, on first use, and shared read-only by every trial this workload runs.
        _data = new Lazy<ImageDataset>(
            () => _options.ImageData is { } own ? ImageDatasets.TakePrepared(own) ?? ImageDatasets.Load(own) : FashionMnist.Load(_options.Data),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IReadOnlyList<Objective> Objectives { get; }

    public WorkloadResult Run(TrialRequest request, WorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var budget = request.Id.Budget;
        if (!(budget > 0) || !double.IsFinite(budget))
        {
            throw new ArgumentException($"the budget is a number of {_options.BudgetUnit.ToString().ToLowerInvariant()} and must be positive, not {budget}");
        }

        var trainingBudget = _options.BudgetUnit == TrainingBudgetKind.Seconds ? TrainingBudget.Seconds(budget) : TrainingBudget.Epochs(budget);
        var device = SelectDevice(context.Device, out var deviceNote);
        if (deviceNote is not null)
        {
            context.ReportProgress(new WorkloadProgress(0, budget, deviceNote));
        }

        var data = _data.Value;
        var seed = StableHash.Combine((ulong)(_options.ImageData?.Seed ?? _options.Data.Seed), request.Configuration.Fingerprint);
        return _options.Model == NetworkModel.Residual
            ? RunResidual(request, context, trainingBudget, device, data, seed)
            : RunConvNet(request, context, trainingBudget, device, data, seed);
    }

    /// <summary>
    /// Parameters, multiply-accumulates and CPU inference latency of the configuration's network, built but never
    /// trained; without loading Fashion-MNIST (whose shape is known), while one's own data is read for its channels
    /// and classes.
    /// </summary>
    public IReadOnlyDictionary<string, double> EvaluateCheap(NasHpo.Core.SearchSpaces.Configuration configuration, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(names);
        var latency = names.Contains(LatencyMs);
        var (channels, classes, size) = _options.ImageData is null
            ? (1, FashionMnist.Classes, _options.Data.ImageSize)
            : (_data.Value.Channels, _data.Value.Classes, _data.Value.ImageSize);
        if (_options.Model == NetworkModel.Residual)
        {
            var spec = ResidualNetSpec.FromConfiguration(configuration);
            using (var net = ResidualNetBuilder.Build(spec, size, channels, classes, CPU))
            {
                return Cheap(net.Parameters, net.MultiplyAccumulates, latency ? InferenceLatency.MedianMilliseconds(net.Module, channels, size, CPU, _options.LatencyBatchSize) : null);
            }
        }

        var convSpec = Models.ConvNetSpec.FromConfiguration(configuration);
        using (var conv = ConvNetBuilder.Build(convSpec, size, channels, classes, CPU, _options.Padding))
        {
            return Cheap(conv.Parameters, conv.MultiplyAccumulates, latency ? InferenceLatency.MedianMilliseconds(conv.Module, channels, size, CPU, _options.LatencyBatchSize) : null);
        }
    }

    private static Dictionary<string, double> Cheap(long parameters, long multiplyAccumulates, double? latency)
    {
        var values = new Dictionary<string, double> { [ParameterCount] = parameters, [Flops] = multiplyAccumulates };
        if (latency is { } milliseconds)
        {
            values[LatencyMs] = milliseconds;
        }

        return values;
    }

    private WorkloadResult RunConvNet(TrialRequest request, WorkloadContext context, TrainingBudget budget, Device device, ImageDataset data, ulong seed)
    {
        var spec = Models.ConvNetSpec.FromConfiguration(request.Configuration);
        using (var net = ConvNetBuilder.Build(spec, data.ImageSize, data.Channels, data.Classes, device, _options.Padding))
        {
            SeededInitialization.Apply(net.Module, seed);
            // Timed before training: it needs only the built network, and evaluation mode leaves weights and the
            // generator as they were, so training (and a checkpoint's bit-for-bit continuation) is unaffected.
            var latency = InferenceLatency.MedianMilliseconds(net.Module, data.Channels, data.ImageSize, device, _options.LatencyBatchSize);
            // The checkpoint counts batches; a seconds budget has no batch count to stop at or continue from, so
            // seconds trials neither read nor write checkpoints and always train from scratch.
            var checkpoint = budget.Kind == TrainingBudgetKind.Epochs ? ConvNetTraining.ChooseCheckpoints(request, context) : null;
            var inheritance = Inherit(request, context, checkpoint, net, data, device, seed);
            using var teacher = inheritance.Teacher;
            var stopwatch = Stopwatch.StartNew();
            var trained = ConvNetTraining.Train(net, data.Training, budget, device, seed, request.Configuration.Fingerprint, checkpoint, context, teacher?.Module);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var validationError = 1.0 - Accuracy(net.Module, data.Validation, device, context.Cancellation);
            return Result(data, net.Module, device, context, new Dictionary<string, double>
            {
                [ValidationError] = validationError,
                [ParameterCount] = net.Parameters,
                [Flops] = net.MultiplyAccumulates,
                [LatencyMs] = latency,
                ["train-loss"] = trained.LastLoss,
                ["train-time-s"] = seconds,
                [EpochsTrained] = trained.EpochsTrained,
                [StartEpoch] = trained.StartEpoch,
                [Inherited] = inheritance.Inherited ? 1 : 0,
                [Distilled] = teacher is null ? 0 : 1,
            });
        }
    }

    /// <summary>
    /// A BULK &amp; CUT child (a request with a lineage) starts from its parent's trained network: the parent is
    /// rebuilt from its configuration, its checkpoint restored, and <see cref="NetworkMorphism"/> carries its weights
    /// into the child. A cut-down child keeps the parent as its distillation teacher, also when it resumes from its own
    /// checkpoint. Without the parent's checkpoint (a seconds budget, a run without a checkpoint store, a file
    /// removed) the child trains from scratch and the progress says so.
    /// </summary>
    private Inheritance Inherit(TrialRequest request, WorkloadContext context, CheckpointPlan? checkpoint, ConvNet child, ImageDataset data, Device device, ulong seed)
    {
        if (request.Lineage is not { } lineage)
        {
            return new Inheritance(false, null);
        }

        var morphism = Morphism.Parse(lineage.Operation);
        var parentPath = checkpoint is null ? null : context.Checkpoints?.PathFor(lineage.ParentTrial);
        if (parentPath is null || !File.Exists(parentPath))
        {
            context.ReportProgress(new WorkloadProgress(0, request.Id.Budget, $"no checkpoint of parent {lineage.ParentTrial}: training \"{morphism}\" from scratch"));
            return new Inheritance(false, null);
        }

        var resuming = checkpoint!.StartFrom is not null;
        if (resuming && !morphism.IsCutDown)
        {
            // The child's own checkpoint holds its weights; only a cut-down child needs its parent again, as teacher.
            return new Inheritance(true, null);
        }

        var parentSpec = Models.ConvNetSpec.FromConfiguration(lineage.ParentConfiguration);
        // Its initial weights do not matter: the checkpoint overwrites every one of them.
        var parent = ConvNetBuilder.Build(parentSpec, data.ImageSize, data.Channels, data.Classes, device, _options.Padding);

        try
        {
            using (var parentOptimizer = optim.Adam(parent.Module.parameters(), lr: parentSpec.LearningRate))
            {
                TrainingCheckpoint.Restore(parentPath, lineage.ParentConfiguration.Fingerprint, parent.Module, parentOptimizer);
            }

            if (!resuming)
            {
                NetworkMorphism.Inherit(parent, child, morphism, seed);
                context.ReportProgress(new WorkloadProgress(0, request.Id.Budget, $"inherited the weights of {lineage.ParentTrial} by \"{morphism}\""));
            }

            if (!morphism.IsCutDown)
            {
                parent.Dispose();
                return new Inheritance(true, null);
            }

            parent.Module.eval();
            return new Inheritance(true, parent);
        }
        catch
        {
            parent.Dispose();
            throw;
        }
    }

    private sealed record Inheritance(bool Inherited, ConvNet? Teacher);

    /// <summary>
    /// Paper 000's network, trained by <see cref="ResidualTraining"/>. Always from scratch, with no checkpoint read or
    /// written: its cosine schedule anneals the learning rate to zero over the trial's own budget, so a parent's final
    /// weights are not where a run of the larger budget would be, and ResidualTraining keeps no resumable state.
    /// </summary>
    private WorkloadResult RunResidual(TrialRequest request, WorkloadContext context, TrainingBudget budget, Device device, ImageDataset data, ulong seed)
    {
        var spec = ResidualNetSpec.FromConfiguration(request.Configuration);
        using (var net = ResidualNetBuilder.Build(spec, data.ImageSize, data.Channels, data.Classes, device))
        {
            SeededInitialization.Apply(net.Module, seed);
            var latency = InferenceLatency.MedianMilliseconds(net.Module, data.Channels, data.ImageSize, device, _options.LatencyBatchSize);
            var trained = ResidualTraining.Train(net, data.Training, data.Validation, budget, new ResidualTrainingOptions
            {
                Device = device,
                Seed = seed,
                EvaluationBatchSize = _options.EvaluationBatchSize,
                Progress = context.ReportProgress,
                Cancellation = context.Cancellation,
            });
            return Result(data, net.Module, device, context, new Dictionary<string, double>
            {
                [ValidationError] = 1.0 - trained.ValidationAccuracy,
                [ParameterCount] = net.Parameters,
                [Flops] = net.MultiplyAccumulates,
                [LatencyMs] = latency,
                ["train-loss"] = trained.LastLoss,
                ["train-time-s"] = trained.TrainingSeconds,
                ["final-learning-rate"] = trained.FinalLearningRate,
                [EpochsTrained] = trained.Epochs,
                [StartEpoch] = 0,
            });
        }
    }

    /// <summary>The objectives in the study's order, every metric, and the test error when the data has a test split.</summary>
    private WorkloadResult Result(ImageDataset data, nn.Module<Tensor, Tensor> module, Device device, WorkloadContext context, Dictionary<string, double> metrics)
    {
        if (data.Test is { } test)
        {
            metrics[TestError] = 1.0 - Accuracy(module, test, device, context.Cancellation);
        }

        return new(_options.Objectives.Select(name => metrics[name]).ToArray(), metrics);
    }

    public void Dispose()
    {
        if (_data.IsValueCreated)
        {
            _data.Value.Dispose();
        }
    }

    /// <summary>
    /// "cpu", "cpu-N" (a device actor's name), "cuda", "cuda:N" or "cuda-N" (a second slot on one GPU is "cuda-N.2":
    /// the same device). A CUDA device on a machine or build
    /// without CUDA falls back to the CPU, and says so in <paramref name="note"/>.
    /// </summary>
    public static Device SelectDevice(string name, out string? note)
    {
        ArgumentNullException.ThrowIfNull(name);
        note = null;
        var text = name.Trim().ToLowerInvariant().Split('.')[0];
        if (text == "cpu" || text.StartsWith("cpu-", StringComparison.Ordinal) || text.StartsWith("cpu:", StringComparison.Ordinal))
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal) || text.StartsWith("cuda-", StringComparison.Ordinal))
        {
            var index = text.Length > 5 && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : text.Length == 4 ? 0 : -1;
            if (index < 0)
            {
                throw new ArgumentException($"device '{name}' is not cpu, cuda or cuda:N");
            }

            if (!cuda.is_available())
            {
                note = $"device '{name}' asked for CUDA, but libtorch sees no CUDA device (a TorchBackend=cpu build, or no GPU or driver); training on the CPU";
                return CPU;
            }

            if (index >= cuda.device_count())
            {
                throw new ArgumentException($"device '{name}' does not exist: libtorch sees {cuda.device_count()} CUDA device(s)");
            }

            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"device '{name}' is not cpu, cuda or cuda:N");
    }

    private static Objective ToObjective(string name) => name switch
    {
        ValidationError => new Objective(ValidationError),
        ParameterCount => new Objective(ParameterCount, ObjectiveDirection.Minimize, ObjectiveCost.Cheap),
        Flops => new Objective(Flops, ObjectiveDirection.Minimize, ObjectiveCost.Cheap),
        LatencyMs => new Objective(LatencyMs, ObjectiveDirection.Minimize, ObjectiveCost.Cheap),
        _ => throw new ArgumentException($"the Fashion-MNIST workload has no objective '{name}'; it offers {ValidationError}, {ParameterCount}, {Flops} and {LatencyMs}"),
    };

    private double Accuracy(nn.Module<Tensor, Tensor> module, LabeledImages set, Device device, CancellationToken cancellation)
    {
        module.eval();
        using var noGrad = no_grad();
        long correct = 0;
        var batch = Math.Max(1, _options.EvaluationBatchSize);
        for (var start = 0; start < set.Count; start += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var length = Math.Min(batch, set.Count - start);
            var images = set.Images.narrow(0, start, length).to(device);
            var labels = set.Labels.narrow(0, start, length).to(device);
            var predicted = module.forward(images).argmax(1);
            correct += predicted.eq(labels).sum().item<long>();
        }

        return (double)correct / set.Count;
    }
}
