using System.Globalization;
using Akka.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Configuration.Tabular;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>
/// Reads and validates a study definition (the <c>study</c> section of a HOCON file), reporting the first problem
/// as one line that names the HOCON path and the offending value, before anything is persisted.
/// </summary>
public static class StudyDefinitionReader
{
    private static readonly string[] StudyKeys = ["name", "seed", "devices", "objectives", "reference-point", "problem", "search-space", "optimizer", "stop"];
    private static readonly string[] ProblemKeys = ["type", "dimensions", "objectives", "delay", "noise-scale", "checkpoints"];
    private static readonly string[] DatasetProblemKeys = ["type", "data-dir", "validation-fraction", "train-subset", "validation-subset", "test-subset", "image-size", "model", "threads-per-device"];

    // What a trained network reports; "params" and "flops" follow from the configuration alone (cheap).
    private static readonly string[] TrainingObjectives = ["val-error", "params", "flops", "latency-ms"];
    private static readonly string[] OptimizerKeys =
        ["type", "eta", "min-budget", "max-budget", "max-open-brackets", "random-fraction", "good-fraction", "candidates", "bandwidth-factor", "min-points-in-model", "promotion", "continue-from-checkpoint", "budget-unit", "phase-shares", "epsilon", "hyperparameters",
         "population-size", "first-step-evaluations", "tournament-size", "mutated-parameters", "mutation-stddev", "mutation-probability",
         "ensemble-size", "parents", "predictor-layers", "predictor-units", "predictor-epochs", "predictor-batch-size", "predictor-learning-rate"];

    private static readonly string[] StopKeys = ["max-evaluations", "max-wall-clock", "max-budget-spent"];

    /// <summary>
    /// Reads a study file with command-line overrides (<c>--set key=value</c>; keys may omit the leading
    /// <c>study.</c>). The resolved text (file, then overrides, which HOCON lets win) is kept in the definition.
    /// </summary>
    public static StudyDefinition Load(string path, IEnumerable<string> overrides)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, $"cannot read the study file: {error.Message}");
        }

        var lines = new List<string>();
        foreach (var assignment in overrides)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigurationException("--set", $"\"{assignment}\" is not KEY=VALUE");
            }

            var key = assignment[..equals].Trim();
            var value = assignment[(equals + 1)..].Trim();
            try
            {
                // Checked alone, so that a syntax error names the override rather than a line after the file's end.
                HoconText.Parse($"{key} = {value}", "--set");
            }
            catch (ConfigurationException error)
            {
                throw new ConfigurationException("--set", $"\"{assignment}\": {error.Detail}", error);
            }

            lines.Add($"{(key.StartsWith("study.", StringComparison.Ordinal) ? key : "study." + key)} = {value}");
        }

        var resolved = lines.Count == 0 ? text : text + "\n# --set overrides\n" + string.Join("\n", lines) + "\n";
        return FromHocon(resolved, Path.GetFileName(path), Path.GetFileNameWithoutExtension(path), Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Reads a definition from resolved HOCON text (a study file, or the text a journal kept).</summary>
    public static StudyDefinition FromHocon(string hocon) => FromHocon(hocon, "study", null, null);

    /// <summary>fileName, when given, names a study that does not name itself; directory is the study file's folder.</summary>
    private static StudyDefinition FromHocon(string hocon, string source, string? fileName, string? directory)
    {
        // HoconText checks the structure first: Akka's parser silently accepts an unclosed brace and can loop
        // forever on an unclosed list. Syntax errors name source:line:column.
        var root = HoconText.Parse(hocon, source);

        if (!root.HasPath("study"))
        {
            throw new ConfigurationException("study", "missing (a study file defines everything under a top-level \"study\" object)");
        }

        var study = root.GetConfig("study");
        RejectUnknownKeys(study, "study", StudyKeys);

        // A tabular replay has its own reader (Tabular/TabularProblemReader.cs): the table decides the objectives that
        // can be named, the space and the default reference.
        var tabular = TabularProblemReader.IsTabular(study) ? TabularProblemReader.Read(root, directory) : null;
        var problem = tabular?.Problem ?? ReadProblem(study);
        IReadOnlyList<Objective> objectives;
        SearchSpace space;
        double[] defaultReference;
        if (tabular is not null)
        {
            (objectives, space, defaultReference) = (tabular.Objectives, tabular.Space, tabular.DefaultReference);
        }
        else if (problem.IsSynthetic)
        {
            var synthetic = SyntheticProblem.Create(problem.Type, new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
            objectives = study.HasPath("objectives") ? ObjectivesReader.Read(root, "study.objectives") : synthetic.Objectives;
            if (objectives.Count != synthetic.Objectives.Count)
            {
                throw new ConfigurationException("study.objectives", $"{objectives.Count} objectives, but problem {problem.Type} has {synthetic.Objectives.Count}");
            }

            space = study.HasPath("search-space") ? SearchSpaceReader.Read(root, "study.search-space") : synthetic.Space;
            defaultReference = objectives.Select((o, i) => o.ToMinimization(synthetic.ReferencePoint[i])).ToArray();
        }
        else
        {
            objectives = study.HasPath("objectives")
                ? ObjectivesReader.Read(root, "study.objectives")
                : [new Objective("val-error"), new Objective("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap)];
            for (var i = 0; i < objectives.Count; i++)
            {
                if (!TrainingObjectives.Contains(objectives[i].Name, StringComparer.Ordinal))
                {
                    throw new ConfigurationException($"study.objectives[{i}].name", $"\"{objectives[i].Name}\" is not an objective of {problem.Type} (expected one of: {string.Join(", ", TrainingObjectives)})");
                }
            }

            space = study.HasPath("search-space")
                ? SearchSpaceReader.Read(root, "study.search-space")
                : throw new ConfigurationException("study.search-space", $"missing ({problem.Type} trains networks from the space's configurations; see hocon/spaces/{(problem.Dataset!.Model == DatasetDefinition.Residual ? "bohb-resnet-000.conf" : "joint-nas-hpo-table2.conf")})");

            // Worst plausible values: every error, 10 million parameters, a billion multiply-accumulates, a second
            // to run one batch.
            defaultReference = objectives.Select(o => o.ToMinimization(o.Name switch { "val-error" => 1.0, "params" => 1e7, "latency-ms" => 1000.0, _ => 1e9 })).ToArray();
        }

        var optimizer = ReadOptimizer(study);
        if (problem.IsSynthetic && optimizer.BudgetUnit != OptimizerDefinition.Epochs)
        {
            // A synthetic problem's fidelity is a number, not a duration; seconds would silently mean nothing.
            throw new ConfigurationException("study.optimizer.budget-unit", $"\"{optimizer.BudgetUnit}\" needs a training problem ({ProblemDefinition.FashionMnist}); {problem.Type} counts budgets in its own fidelity units");
        }

        if (tabular?.Problem.Tabular is { } replay && optimizer.MaxBudget > replay.Table.MaxEpoch)
        {
            throw new ConfigurationException("study.optimizer.max-budget", $"{Format(optimizer.MaxBudget)} epochs, but the table records {replay.Table.MaxEpoch}");
        }

        var stop = ReadStop(study);
        if (optimizer.BulkAndCut?.Hyperparameters is { } hyperparameters)
        {
            for (var i = 0; i < hyperparameters.Count; i++)
            {
                if (space.IndexOf(hyperparameters[i]) < 0)
                {
                    throw new ConfigurationException($"study.optimizer.hyperparameters[{i}]", $"\"{hyperparameters[i]}\" is not a parameter of the search space");
                }
            }
        }

        var reference = study.HasPath("reference-point")
            ? ReadNumbers(study, "reference-point", "study.reference-point")
            : defaultReference;
        if (reference.Length != objectives.Count)
        {
            throw new ConfigurationException("study.reference-point", $"{reference.Length} values for {objectives.Count} objectives");
        }

        // The journal keeps the text, not the file's name: a name taken from the file is written into the text so
        // that a resumed study (and its report) has the name it started with.
        var named = study.HasPath("name");
        var name = named ? study.GetString("name") : fileName ?? "study";
        return new StudyDefinition
        {
            Name = name,
            Seed = ReadLong(study, "seed", "study.seed", 0),
            DeviceNames = ReadDevices(study),
            Optimizer = optimizer,
            Stop = stop,
            Problem = problem,
            Objectives = objectives,
            ReferencePoint = reference,
            Space = space,
            Hocon = (named || fileName is null ? hocon : hocon + $"\n# named after its file\nstudy.name = {Quote(name)}\n") + tabular?.HoconAddition,
        };
    }

    private static ProblemDefinition ReadProblem(Config study)
    {
        if (!study.HasPath("problem"))
        {
            throw new ConfigurationException("study.problem", "missing (for example: problem { type = zdt1, dimensions = 10 })");
        }

        var problem = study.GetConfig("problem");
        var type = RequireString(problem, "type", "study.problem.type");
        if (type == ProblemDefinition.FashionMnist)
        {
            return ReadDatasetProblem(problem, type);
        }

        RejectUnknownKeys(problem, "study.problem", ProblemKeys);
        if (!SyntheticProblem.TypeNames.Contains(type, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.problem.type", $"unknown problem \"{type}\" (expected one of: {string.Join(", ", SyntheticProblem.TypeNames.Append(ProblemDefinition.FashionMnist).Append(ProblemDefinition.TabularType))})");
        }

        var dimensions = (int)ReadLong(problem, "dimensions", "study.problem.dimensions", 10, minimum: 1);
        var objectives = (int)ReadLong(problem, "objectives", "study.problem.objectives", type == "dtlz2" ? 3 : 2, minimum: 1);
        var delay = ReadDuration(problem, "delay", "study.problem.delay", TimeSpan.Zero);
        var noise = ReadDouble(problem, "noise-scale", "study.problem.noise-scale", 1.0, minimum: 0);
        try
        {
            SyntheticProblem.Create(type, new SyntheticProblemOptions(dimensions, objectives, delay, noise));
        }
        catch (ArgumentException error)
        {
            throw new ConfigurationException("study.problem", error.Message.Split(" (Parameter", 2)[0]);
        }

        var checkpoints = problem.HasPath("checkpoints") && ReadBoolean(problem, "checkpoints", "study.problem.checkpoints");
        return new ProblemDefinition(type, dimensions, objectives, delay, noise) { Checkpoints = checkpoints };
    }

    private static ProblemDefinition ReadDatasetProblem(Config problem, string type)
    {
        RejectUnknownKeys(problem, "study.problem", DatasetProblemKeys);
        var directory = problem.HasPath("data-dir") ? RequireString(problem, "data-dir", "study.problem.data-dir") : "/usr/share/datasets/fashion-mnist";
        var validation = ReadDouble(problem, "validation-fraction", "study.problem.validation-fraction", 0.2, minimum: 1e-6, maximum: 1 - 1e-6);
        int? Subset(string key) => problem.HasPath(key) ? (int)ReadLong(problem, key, $"study.problem.{key}", 0, minimum: 1) : null;
        var imageSize = (int)ReadLong(problem, "image-size", "study.problem.image-size", 28, minimum: 4);
        if (imageSize > 28)
        {
            throw new ConfigurationException("study.problem.image-size", $"{imageSize} is larger than the 28x28 images (downsampling only)");
        }

        var model = problem.HasPath("model") ? RequireString(problem, "model", "study.problem.model") : DatasetDefinition.ConvNet;
        if (!DatasetDefinition.Models.Contains(model, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.problem.model", $"unknown model \"{model}\" (expected one of: {string.Join(", ", DatasetDefinition.Models)})");
        }

        // 0 shares the machine's cores equally between the CPU devices.
        var threads = (int)ReadLong(problem, "threads-per-device", "study.problem.threads-per-device", 0, minimum: 0);
        var dataset = new DatasetDefinition(directory, validation, Subset("train-subset"), Subset("validation-subset"), Subset("test-subset"), imageSize, model, threads);
        return new ProblemDefinition(type, 0, 0, TimeSpan.Zero, 0, dataset);
    }

    /// <summary>
    /// <c>devices = N</c> (N CPU slots) or <c>devices = [cpu, cpu, "cuda:0"]</c>; names become actor names, so
    /// "cuda:0" is kept as "cuda-0".
    /// </summary>
    private static string[] ReadDevices(Config study)
    {
        if (!study.HasPath("devices"))
        {
            return ["cpu-0"];
        }

        if (!study.GetValue("devices").IsArray())
        {
            var count = (int)ReadLong(study, "devices", "study.devices", 1, minimum: 1);
            return Enumerable.Range(0, count).Select(i => $"cpu-{i}").ToArray();
        }

        var names = study.GetStringList("devices");
        if (names.Count == 0)
        {
            throw new ConfigurationException("study.devices", "empty (name at least one device, or give a number of CPU slots)");
        }

        var cpu = 0;
        var result = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim().ToLowerInvariant();
            if (name == "cpu")
            {
                result.Add($"cpu-{cpu++}");
            }
            else if ((name.StartsWith("cuda:", StringComparison.Ordinal) || name.StartsWith("cuda-", StringComparison.Ordinal))
                && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                result.Add($"cuda-{index}");
            }
            else
            {
                throw new ConfigurationException($"study.devices[{i}]", $"\"{names[i]}\" is not a device (expected cpu or cuda:N)");
            }
        }

        var duplicate = result.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? result.ToArray() : throw new ConfigurationException("study.devices", $"{duplicate.Key.Replace('-', ':')} is listed twice");
    }

    private static OptimizerDefinition ReadOptimizer(Config study)
    {
        if (!study.HasPath("optimizer"))
        {
            throw new ConfigurationException("study.optimizer", "missing (for example: optimizer { type = mo-bohb, min-budget = 1, max-budget = 27 })");
        }

        var optimizer = study.GetConfig("optimizer");
        RejectUnknownKeys(optimizer, "study.optimizer", OptimizerKeys);
        var type = RequireString(optimizer, "type", "study.optimizer.type");
        if (!OptimizerFactory.Names.Contains(type, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.optimizer.type", $"unknown optimizer \"{type}\" (expected one of: {string.Join(", ", OptimizerFactory.Names)})");
        }

        var eta = ReadDouble(optimizer, "eta", "study.optimizer.eta", 3);
        if (eta <= 1)
        {
            throw new ConfigurationException("study.optimizer.eta", $"{Format(eta)} must be greater than 1");
        }

        var maxBudget = ReadDouble(optimizer, "max-budget", "study.optimizer.max-budget", 1);
        var minBudget = ReadDouble(optimizer, "min-budget", "study.optimizer.min-budget", maxBudget);
        if (minBudget <= 0)
        {
            throw new ConfigurationException("study.optimizer.min-budget", $"{Format(minBudget)} must be positive");
        }

        if (maxBudget < minBudget)
        {
            throw new ConfigurationException("study.optimizer.max-budget", $"{Format(maxBudget)} is below min-budget {Format(minBudget)}");
        }

        var promotion = ReadPromotion(optimizer, type);

        TreeParzenSettings? sampler = null;
        if (type is "bohb" or "mo-bohb")
        {
            var defaults = (type == "bohb" ? TreeParzenSampler.Bohb() : TreeParzenSampler.MoBohb()).Settings;
            sampler = defaults with
            {
                RandomFraction = ReadDouble(optimizer, "random-fraction", "study.optimizer.random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
                GoodFraction = ReadDouble(optimizer, "good-fraction", "study.optimizer.good-fraction", defaults.GoodFraction, minimum: 1e-9, maximum: 1 - 1e-9),
                Candidates = (int)ReadLong(optimizer, "candidates", "study.optimizer.candidates", defaults.Candidates, minimum: 1),
                BandwidthFactor = ReadDouble(optimizer, "bandwidth-factor", "study.optimizer.bandwidth-factor", defaults.BandwidthFactor, minimum: 1e-9),
                MinPointsInModel = optimizer.HasPath("min-points-in-model")
                    ? (int)ReadLong(optimizer, "min-points-in-model", "study.optimizer.min-points-in-model", 0, minimum: 1)
                    : null,
            };
        }

        var shEmoa = type == "sh-emoa" ? ReadShEmoa(optimizer) : null;
        var moBananas = type == "mo-bananas" ? ReadMoBananas(optimizer) : null;
        var maxOpen = (int)ReadLong(optimizer, "max-open-brackets", "study.optimizer.max-open-brackets", int.MaxValue, minimum: 1);
        var continueFromCheckpoint = !optimizer.HasPath("continue-from-checkpoint") || ReadBoolean(optimizer, "continue-from-checkpoint", "study.optimizer.continue-from-checkpoint");
        var budgetUnit = optimizer.HasPath("budget-unit") ? RequireString(optimizer, "budget-unit", "study.optimizer.budget-unit") : OptimizerDefinition.Epochs;
        if (!OptimizerDefinition.BudgetUnits.Contains(budgetUnit, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.optimizer.budget-unit", $"unknown unit \"{budgetUnit}\" (expected one of: {string.Join(", ", OptimizerDefinition.BudgetUnits)})");
        }

        return new OptimizerDefinition(type, eta, minBudget, maxBudget, sampler, maxOpen, continueFromCheckpoint, budgetUnit, promotion)
        {
            BulkAndCut = type == "bulk-and-cut" ? ReadBulkAndCut(optimizer) : null,
            ShEmoa = shEmoa,
            MoBananas = moBananas,
        };
    }

    private static BulkAndCutDefinition ReadBulkAndCut(Config optimizer)
    {
        double[] shares = [0.35, 0.40, 0.25];
        if (optimizer.HasPath("phase-shares"))
        {
            shares = ReadNumbers(optimizer, "phase-shares", "study.optimizer.phase-shares");
            if (shares.Length != 3 || shares.Any(s => s is < 0 or > 1) || Math.Abs(shares.Sum() - 1) > 1e-9)
            {
                throw new ConfigurationException(
                    "study.optimizer.phase-shares",
                    $"[{string.Join(", ", shares.Select(Format))}] must be three shares in [0, 1] (initialisation, bulk-up, cut-down) that sum to 1");
            }
        }

        var epsilon = ReadDouble(optimizer, "epsilon", "study.optimizer.epsilon", 0.15, minimum: 0, maximum: 1);
        IReadOnlyList<string>? hyperparameters = null;
        if (optimizer.HasPath("hyperparameters"))
        {
            if (!HoconReading.IsList(optimizer.GetValue("hyperparameters")))
            {
                throw new ConfigurationException("study.optimizer.hyperparameters", $"expected a list of parameter names, got {HoconReading.Show(optimizer.GetValue("hyperparameters"))}");
            }

            hyperparameters = optimizer.GetStringList("hyperparameters").ToArray();
        }

        return new BulkAndCutDefinition(shares, epsilon, hyperparameters);
    }

    private static PromotionMode ReadPromotion(Config optimizer, string type)
    {
        if (!optimizer.HasPath("promotion"))
        {
            return PromotionMode.Synchronous;
        }

        var text = RequireString(optimizer, "promotion", "study.optimizer.promotion");
        var index = OptimizerDefinition.PromotionModes.ToList().IndexOf(text);
        if (index < 0)
        {
            throw new ConfigurationException("study.optimizer.promotion", $"unknown mode \"{text}\" (expected one of: {string.Join(", ", OptimizerDefinition.PromotionModes)})");
        }

        var mode = (PromotionMode)index;
        if (mode == PromotionMode.Asynchronous && !OptimizerFactory.PromotesAlongRungs(type))
        {
            throw new ConfigurationException(
                "study.optimizer.promotion",
                $"\"{text}\" does not apply to {type} (asynchronous promotion is for: {string.Join(", ", OptimizerFactory.Names.Where(OptimizerFactory.PromotesAlongRungs))})");
        }

        return mode;

    }

    /// <summary>SH-EMOA's settings (paper 001, B.1), each defaulting to <see cref="ShEmoaSettings"/>'s value.</summary>
    private static ShEmoaSettings ReadShEmoa(Config optimizer)
    {
        var defaults = new ShEmoaSettings();
        var population = (int)ReadLong(optimizer, "population-size", "study.optimizer.population-size", defaults.PopulationSize, minimum: 1, maximum: int.MaxValue);
        var firstStep = (int)ReadLong(optimizer, "first-step-evaluations", "study.optimizer.first-step-evaluations", Math.Max(defaults.FirstStepEvaluations, population), minimum: 1, maximum: int.MaxValue);
        if (firstStep < population)
        {
            throw new ConfigurationException("study.optimizer.first-step-evaluations", $"{firstStep} is below population-size {population} (the first step evaluates the initial population)");
        }

        return defaults with
        {
            PopulationSize = population,
            FirstStepEvaluations = firstStep,
            TournamentSize = (int)ReadLong(optimizer, "tournament-size", "study.optimizer.tournament-size", defaults.TournamentSize, minimum: 1, maximum: int.MaxValue),
            MutatedParameters = (int)ReadLong(optimizer, "mutated-parameters", "study.optimizer.mutated-parameters", defaults.MutatedParameters, minimum: 1, maximum: int.MaxValue),
            MutationStdDev = ReadDouble(optimizer, "mutation-stddev", "study.optimizer.mutation-stddev", defaults.MutationStdDev, minimum: 0, maximum: 1),
            MutationProbability = ReadDouble(optimizer, "mutation-probability", "study.optimizer.mutation-probability", defaults.MutationProbability, minimum: 0, maximum: 1),
        };
    }

    /// <summary>MO-BANANAS' settings (paper 001, B.4), each defaulting to <see cref="MoBananasSettings"/>'s value.</summary>
    private static MoBananasSettings ReadMoBananas(Config optimizer)
    {
        var defaults = new MoBananasSettings();
        return defaults with
        {
            EnsembleSize = (int)ReadLong(optimizer, "ensemble-size", "study.optimizer.ensemble-size", defaults.EnsembleSize, minimum: 1, maximum: 100),
            Parents = (int)ReadLong(optimizer, "parents", "study.optimizer.parents", defaults.Parents, minimum: 1, maximum: int.MaxValue),
            Candidates = (int)ReadLong(optimizer, "candidates", "study.optimizer.candidates", defaults.Candidates, minimum: 1, maximum: 1_000_000),
            MutationStdDev = ReadDouble(optimizer, "mutation-stddev", "study.optimizer.mutation-stddev", defaults.MutationStdDev, minimum: 1e-9, maximum: 1),
            RandomFraction = ReadDouble(optimizer, "random-fraction", "study.optimizer.random-fraction", defaults.RandomFraction, minimum: 0, maximum: 1),
            MinPointsInModel = optimizer.HasPath("min-points-in-model")
                ? (int)ReadLong(optimizer, "min-points-in-model", "study.optimizer.min-points-in-model", 0, minimum: 2, maximum: int.MaxValue)
                : null,
            Predictor = defaults.Predictor with
            {
                HiddenLayers = (int)ReadLong(optimizer, "predictor-layers", "study.optimizer.predictor-layers", defaults.Predictor.HiddenLayers, minimum: 1, maximum: 100),
                HiddenUnits = (int)ReadLong(optimizer, "predictor-units", "study.optimizer.predictor-units", defaults.Predictor.HiddenUnits, minimum: 1, maximum: 10_000),
                Epochs = (int)ReadLong(optimizer, "predictor-epochs", "study.optimizer.predictor-epochs", defaults.Predictor.Epochs, minimum: 1, maximum: 1_000_000),
                BatchSize = (int)ReadLong(optimizer, "predictor-batch-size", "study.optimizer.predictor-batch-size", defaults.Predictor.BatchSize, minimum: 1, maximum: int.MaxValue),
                LearningRate = ReadDouble(optimizer, "predictor-learning-rate", "study.optimizer.predictor-learning-rate", defaults.Predictor.LearningRate, minimum: 1e-12, maximum: 10),
            },
        };
    }

    private static StopCriteria ReadStop(Config study)
    {
        if (!study.HasPath("stop"))
        {
            throw new ConfigurationException("study.stop", "missing (set max-evaluations, max-wall-clock, max-budget-spent, or several)");
        }

        var stop = study.GetConfig("stop");
        RejectUnknownKeys(stop, "study.stop", StopKeys);
        int? evaluations = stop.HasPath("max-evaluations") ? (int)ReadLong(stop, "max-evaluations", "study.stop.max-evaluations", 0, minimum: 1) : null;
        TimeSpan? wallClock = stop.HasPath("max-wall-clock") ? ReadDuration(stop, "max-wall-clock", "study.stop.max-wall-clock", TimeSpan.Zero) : null;
        double? budgetSpent = stop.HasPath("max-budget-spent") ? ReadDouble(stop, "max-budget-spent", "study.stop.max-budget-spent", 0) : null;
        if (evaluations is null && wallClock is null && budgetSpent is null)
        {
            throw new ConfigurationException("study.stop", "no criterion (set max-evaluations, max-wall-clock, max-budget-spent, or several)");
        }

        if (wallClock is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ConfigurationException("study.stop.max-wall-clock", $"{limit} must be positive");
        }

        if (budgetSpent is { } budget && budget <= 0)
        {
            throw new ConfigurationException("study.stop.max-budget-spent", $"{Format(budget)} must be positive");
        }

        return new StopCriteria(evaluations, wallClock, budgetSpent);
    }

    private static void RejectUnknownKeys(Config section, string path, string[] known)
    {
        foreach (var key in section.AsEnumerable().Select(p => p.Key.Split('.')[0]).Distinct())
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw new ConfigurationException($"{path}.{key}", $"unknown key (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    private static bool ReadBoolean(Config section, string key, string path) =>
        section.GetString(key) switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            var text => throw new ConfigurationException(path, $"\"{text}\" is not true or false"),
        };

    private static string RequireString(Config section, string key, string path)
    {
        if (!section.HasPath(key))
        {
            throw new ConfigurationException(path, "missing");
        }

        var value = section.GetString(key);
        return string.IsNullOrWhiteSpace(value) ? throw new ConfigurationException(path, "is empty") : value.Trim();
    }

    private static double ReadDouble(Config section, string key, string path, double fallback, double minimum = double.MinValue, double maximum = double.MaxValue)
    {
        if (!section.HasPath(key))
        {
            return fallback;
        }

        var text = section.GetString(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ConfigurationException(path, $"\"{text}\" is not a finite number");
        }

        return value < minimum || value > maximum
            ? throw new ConfigurationException(path, $"{Format(value)} is outside [{Format(minimum)}, {Format(maximum)}]")
            : value;
    }

    private static long ReadLong(Config section, string key, string path, long fallback, long minimum = long.MinValue, long maximum = long.MaxValue)
    {
        if (!section.HasPath(key))
        {
            return fallback;
        }

        var text = section.GetString(key);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new ConfigurationException(path, $"\"{text}\" is not an integer");
        }

        return value < minimum ? throw new ConfigurationException(path, $"{value} is below the minimum {minimum}")
            : value > maximum ? throw new ConfigurationException(path, $"{value} is above the maximum {maximum}")
            : value;
    }

    private static TimeSpan ReadDuration(Config section, string key, string path, TimeSpan fallback)
    {
        if (!section.HasPath(key))
        {
            return fallback;
        }

        try
        {
            var value = section.GetTimeSpan(key, fallback, allowInfinite: false);
            return value < TimeSpan.Zero ? throw new ConfigurationException(path, $"{value} is negative") : value;
        }
        catch (Exception error) when (error is not ConfigurationException)
        {
            throw new ConfigurationException(path, $"\"{section.GetString(key)}\" is not a duration (for example 50ms, 2s, 10m)");
        }
    }

    private static double[] ReadNumbers(Config section, string key, string path)
    {
        // GetStringList reads an object or a single value as an empty list, which would be reported as a count.
        if (!HoconReading.IsList(section.GetValue(key)))
        {
            throw new ConfigurationException(path, $"expected a list of numbers, got {HoconReading.Show(section.GetValue(key))}");
        }

        IList<string> items;
        try
        {
            items = section.GetStringList(key);
        }
        catch (Exception error) when (error is not ConfigurationException)
        {
            throw new ConfigurationException(path, "is not a list of numbers");
        }

        return items.Select((text, i) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw new ConfigurationException($"{path}[{i}]", $"\"{text}\" is not a finite number")).ToArray();
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
