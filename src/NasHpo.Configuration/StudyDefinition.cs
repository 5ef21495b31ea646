using NasHpo.Core.Fidelity;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>
/// The optimizer a study runs and its multi-fidelity budgets (<c>study.optimizer</c>): the registered
/// <paramref name="Method"/> and <see cref="Settings"/>, what its own keys read to (null: its defaults). A promoted
/// trial continues from its parent's checkpoint unless <paramref name="ContinueFromCheckpoint"/> is off (the papers
/// retrain). <paramref name="BudgetUnit"/> says what a budget counts for a training problem: <see cref="Epochs"/> or
/// <see cref="Seconds"/> of training. <paramref name="Promotion"/> is synchronous (the papers) or asynchronous
/// (ASHA; see <see cref="HyperbandOptimizer"/>).
/// </summary>
internal sealed record OptimizerDefinition(OptimizerMethod Method, double Eta, double MinBudget, double MaxBudget, int MaxOpenBrackets, bool ContinueFromCheckpoint = true, string BudgetUnit = OptimizerDefinition.Epochs, PromotionMode Promotion = PromotionMode.Synchronous)
{
    /// <summary>The method's name, as the study gives it in <c>study.optimizer.type</c>.</summary>
    public string Type => Method.Name;

    /// <summary>What <see cref="OptimizerMethod.ReadSettings"/> returned for the study's keys (null: the method's defaults).</summary>
    public object? Settings { get; init; }

    public const string Epochs = "epochs";

    public const string Seconds = "seconds";

    public static IReadOnlyList<string> BudgetUnits { get; } = [Epochs, Seconds];

    /// <summary>How a synchronous rung ranks its results when there are several objectives (<c>study.optimizer.promotion-ranking</c>).</summary>
    public PromotionRanking Ranking { get; init; } = DefaultRanking;

    /// <summary>The ranking a study gets when it names none.</summary>
    public const PromotionRanking DefaultRanking = PromotionRanking.HypervolumeGain;

    /// <summary>The values of <c>study.optimizer.promotion-ranking</c>, in the order of <see cref="PromotionRanking"/>.</summary>
    public static IReadOnlyList<string> PromotionRankings { get; } = ["non-dominated-sorting", "hypervolume-gain"];

    /// <summary>The values of <c>study.optimizer.promotion</c>, in the order of <see cref="PromotionMode"/>.</summary>
    public static IReadOnlyList<string> PromotionModes { get; } = ["synchronous", "asynchronous"];

    /// <summary>The settings as <typeparamref name="TSettings"/>, or null when the method has settings of another kind or none.</summary>
    public TSettings? SettingsOf<TSettings>()
        where TSettings : class => Settings as TSettings;
}

/// <summary>
/// When a study ends (<c>study.stop</c>); at least one criterion is set. <paramref name="MaxBudgetSpent"/> counts
/// the budget its trials cost, in the study's budget unit (a promoted network that continues from its parent's
/// checkpoint costs only its new epochs).
/// </summary>
internal sealed record StopCriteria(int? MaxEvaluations, TimeSpan? MaxWallClock, double? MaxBudgetSpent = null);

/// <summary>
/// The workload trials evaluate (<c>study.problem</c>): a synthetic problem (dimensions, objectives, delay, noise),
/// a dataset to train networks on (<paramref name="Dataset"/> set), or a program of the user's (<see cref="Command"/> set).
/// </summary>
internal sealed record ProblemDefinition(string Type, int Dimensions, int Objectives, TimeSpan Delay, double NoiseScale, DatasetDefinition? Dataset = null)
{
    public const string FashionMnist = "fashion-mnist";

    /// <summary>One's own images: a folder per split, a subfolder per class (PNG, JPEG).</summary>
    public const string ImageFolder = "image-folder";

    /// <summary>IDX files (the MNIST format) from any directory.</summary>
    public const string Idx = "idx";

    /// <summary>NumPy arrays <c>{x,y}_{train,val,test}.npy</c> (paper 001's Oxford-Flowers-17 split).</summary>
    public const string Npy = "npy";

    /// <summary>Every problem type that trains the built-in networks on images.</summary>
    public static IReadOnlyList<string> DatasetTypes { get; } = [FashionMnist, ImageFolder, Idx, Npy];

    /// <summary>The value of <c>problem.type</c> that replays a tabular benchmark.</summary>
    public const string TabularType = "tabular";

    /// <summary>
    /// The value of <c>problem.type</c> for trials evaluated by the code of the program that runs the study (the
    /// library's <c>OptimizeAsync</c> or ask-and-tell): the study declares its objectives and search space.
    /// </summary>
    public const string ExternalType = "external";

    /// <summary>Trials are evaluated by the program that runs the study (<see cref="ExternalType"/>).</summary>
    public bool IsExternal => string.Equals(Type, ExternalType, StringComparison.Ordinal);

    /// <summary>
    /// True when trials train no network, so there is no training state to keep between budgets: synthetic problems,
    /// and tabular replays (<see cref="Tabular"/>), which still count budgets in epochs.
    /// </summary>
    public bool IsSynthetic => Dataset is null && Command is null && !IsExternal;

    /// <summary>A program of the user's that trials run (<c>type = command</c>); null for the built-in problems.</summary>
    public CommandDefinition? Command { get; init; }

    /// <summary>The table a tabular problem replays (<c>problem.type = tabular</c>), or null.</summary>
    public TabularDefinition? Tabular { get; init; }

    /// <summary>
    /// A synthetic problem that keeps a small checkpoint per trial and continues a promoted trial from its parent's
    /// (<c>study.problem.checkpoints</c>): exercises checkpoint handling, across nodes too, without training.
    /// </summary>
    public bool Checkpoints { get; init; }
}

/// <summary>
/// A tabular benchmark to replay (<c>problem { type = tabular, table = "…", time-scale = 0.01 }</c>): the resolved
/// path of the table file, the factor on recorded seconds a trial sleeps (0: none), and the table as read.
/// </summary>
internal sealed record TabularDefinition(string TablePath, double TimeScale, NasHpo.Core.Tabular.TabularTable Table);

/// <summary>
/// Where and how much of a dataset trials train on: validation from the training images by a seeded split, test
/// images recorded but never optimised, optional subsets and downsampling so that CPU studies finish.
/// <paramref name="Model"/> is the network family the configurations describe: <see cref="ConvNet"/> (paper 001's
/// Table 2 space) or <see cref="Residual"/> (paper 000's multi-branch ResNet space). <paramref name="Directory"/> is
/// the data directory (the training folder for image-folder), absolute once read from a study file;
/// <paramref name="ImageSize"/> 0 keeps the size of the data (square IDX or .npy images).
/// </summary>
internal sealed record DatasetDefinition(string Directory, double ValidationFraction, int? TrainingSubset, int? ValidationSubset, int? TestSubset, int ImageSize, string Model = DatasetDefinition.ConvNet, int ThreadsPerDevice = 0)
{
    public const string ConvNet = "convnet";

    public const string Residual = "residual";

    public static IReadOnlyList<string> Models { get; } = [ConvNet, Residual];

    /// <summary>image-folder: the validation folder (null: a seeded split of the training folder).</summary>
    public string? ValidationDirectory { get; init; }

    /// <summary>image-folder: the test folder (null: no test images, and no <c>test-error</c>).</summary>
    public string? TestDirectory { get; init; }

    /// <summary>Input channels the networks see: 1 (grey), 3 (colour) or 0, whatever the data holds.</summary>
    public int Channels { get; init; }
}

/// <summary>
/// A validated study: everything the engine needs to run it, plus the resolved HOCON text it was read from, which
/// the journal keeps so that a resumed study runs exactly the definition it started with. Made only by
/// <see cref="StudyDefinitionReader"/> (a study defined in code is HOCON text given to
/// <see cref="StudyDefinitionReader.FromHocon(string)"/>); its optimizer, stop, problem and search space are the
/// engine's own types, internal so that they can change.
/// </summary>
public sealed record StudyDefinition
{
    internal StudyDefinition(OptimizerDefinition optimizer, StopCriteria stop, ProblemDefinition problem, SearchSpace space)
    {
        Optimizer = optimizer;
        Stop = stop;
        Problem = problem;
        Space = space;
    }

    public required string Name { get; init; }

    public required long Seed { get; init; }

    /// <summary>How many trials run at once: the number of devices.</summary>
    public int Devices => DeviceNames.Count;

    /// <summary>The devices trials run on: "cpu-0", "cpu-1", … for CPU slots, "cuda-0", … for GPUs.</summary>
    public required IReadOnlyList<string> DeviceNames { get; init; }

    internal OptimizerDefinition Optimizer { get; init; }

    internal StopCriteria Stop { get; init; }

    internal ProblemDefinition Problem { get; init; }

    public required IReadOnlyList<Objective> Objectives { get; init; }

    /// <summary>
    /// The hypervolume reference in the journal's recorded form (each objective's own units, a maximised one
    /// negated; never log10): <see cref="ObjectiveSpace.FromRecorded"/> puts it where the hypervolume is computed.
    /// </summary>
    public required IReadOnlyList<double> ReferencePoint { get; init; }

    /// <summary>The objectives taken together, to turn recorded points into minimisation space.</summary>
    internal ObjectiveSpace ObjectiveSpace => new(Objectives);

    internal SearchSpace Space { get; init; }

    /// <summary>The study's resolved configuration as HOCON (the <c>study</c> section, every layer applied).</summary>
    public required string Hocon { get; init; }
}
