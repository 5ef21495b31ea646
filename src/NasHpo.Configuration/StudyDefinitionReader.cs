using System.Globalization;
using Akka.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Configuration.Tabular;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>
/// Reads and validates a study definition (the <c>study</c> section of a HOCON file), reporting the first problem
/// as one line that names the HOCON path and the offending value, before anything is persisted.
/// </summary>
public static partial class StudyDefinitionReader
{
    private static readonly string[] StudyKeys = ["name", "seed", "devices", "objectives", "reference-point", "problem", "search-space", "optimizer", "stop", StudyPaths.Key];
    private static readonly string[] ProblemKeys = ["type", "dimensions", "objectives", "delay", "noise-scale", "checkpoints"];

    // What a trained network reports; "params" and "flops" follow from the configuration alone (cheap).
    private static readonly string[] TrainingObjectives = ["val-error", "params", "flops", "latency-ms"];
    private static readonly string[] StopKeys = ["max-evaluations", "max-wall-clock", "max-budget-spent"];

    /// <summary>The most CPU slots <c>devices = N</c> may ask for: each is an actor and a thread's share of the machine.</summary>
    internal const int MaxDevices = 4096;

    /// <summary>The most decision variables a synthetic problem may have: its space is built and searched in memory.</summary>
    internal const int MaxSyntheticDimensions = 10_000;

    /// <summary>The most objectives a synthetic problem may have: the hypervolume's cost grows exponentially with them.</summary>
    internal const int MaxSyntheticObjectives = 16;

    /// <summary>
    /// Reads a study file with command-line overrides (<c>--set key=value</c>; keys may omit the leading
    /// <c>study.</c>). The resolved text (file, then overrides, which HOCON lets win) is kept in the definition.
    /// </summary>
    /// <exception cref="ConfigurationException">The file cannot be read or the study is not valid; the message names the HOCON path.</exception>
    public static StudyDefinition Load(string path, IEnumerable<string> overrides) => Load(path, overrides, null);

    /// <summary><see cref="Load(string, IEnumerable{string})"/> with the optimizer methods of <paramref name="registry"/> (null: the built-in ones).</summary>
    internal static StudyDefinition Load(string path, IEnumerable<string> overrides, OptimizerRegistry? registry)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // ArgumentException: an empty path, or one with a null character.
            throw new ConfigurationException(path.Length == 0 ? "(study file)" : path, $"cannot read the study file: {error.Message.Split('\n', 2)[0].Trim()}");
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
        var definition = FromHocon(resolved, Path.GetFileName(path), Path.GetFileNameWithoutExtension(path), Path.GetDirectoryName(Path.GetFullPath(path)), registry ?? OptimizerRegistry.BuiltIn);
        if (definition.Problem.Command is { } command)
        {
            CommandProblemReader.CheckPrograms(command);
        }

        return definition;
    }

    /// <summary>Reads a definition from resolved HOCON text (a study file, or the text a journal kept).</summary>
    public static StudyDefinition FromHocon(string hocon) => FromHocon(hocon, OptimizerRegistry.BuiltIn);

    /// <summary>
    /// The study's maximum budget (<c>study.optimizer.max-budget</c>, default 1) from a definition's text, without
    /// reading the rest (a tabular study's table, say): the budget whose evaluations make up the study's front.
    /// </summary>
    internal static double MaxBudgetOf(string hocon)
    {
        var root = HoconText.Parse(hocon, "study");
        return root.HasPath("study.optimizer.max-budget")
            ? ReadDouble(root, "study.optimizer.max-budget", "study.optimizer.max-budget", 1)
            : 1;
    }

    /// <summary>Reads a definition whose optimizer may be any method of <paramref name="registry"/>.</summary>
    internal static StudyDefinition FromHocon(string hocon, OptimizerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return FromHocon(hocon, "study", null, null, registry);
    }

    /// <summary>
    /// fileName, when given, names a study that does not name itself; fileDirectory, the study file's folder, is
    /// what relative paths in the study are relative to (the text a journal kept records it as <c>study.base-directory</c>).
    /// </summary>
    private static StudyDefinition FromHocon(string hocon, string source, string? fileName, string? fileDirectory, OptimizerRegistry registry)
    {
        // HoconText checks the structure first: Akka's parser silently accepts an unclosed brace and can loop
        // forever on an unclosed list. Syntax errors name source:line:column.
        var root = HoconText.Parse(hocon, source);

        if (!root.HasPath("study"))
        {
            throw new ConfigurationException("study", "missing (a study file defines everything under a top-level \"study\" object)");
        }

        RequireObject(root, "study", "study");
        var study = root.GetConfig("study");
        RejectUnknownKeys(study, "study", StudyKeys);

        // Akka reads a section written as a single value (stop = 5) as an empty one, or fails inside; the sections are
        // checked to be objects before any of them is read.
        foreach (var section in (string[])["problem", "optimizer", "stop"])
        {
            if (study.HasPath(section))
            {
                RequireObject(study, section, $"study.{section}");
            }
        }

        var ownBase = study.HasPath(StudyPaths.Key);
        var paths = new StudyPaths(ownBase ? Path.GetFullPath(RequireString(study, StudyPaths.Key, "study." + StudyPaths.Key), fileDirectory ?? Directory.GetCurrentDirectory()) : fileDirectory);

        // A tabular replay has its own reader (Tabular/TabularProblemReader.cs): the table decides the objectives that
        // can be named, the space and the default reference.
        var tabular = TabularProblemReader.IsTabular(study) ? TabularProblemReader.Read(root, paths.BaseDirectory) : null;
        var problem = tabular?.Problem ?? ReadProblem(study, paths);
        IReadOnlyList<Objective> objectives;
        SearchSpace space;
        double[]? defaultReference;
        if (tabular is not null)
        {
            (objectives, space, defaultReference) = (tabular.Objectives, tabular.Space, tabular.DefaultReference);
        }
        else if (problem.Command is not null || problem.IsExternal)
        {
            // A program of the user's reports objectives of any name: the study declares them, and their worst values.
            var kind = problem.IsExternal ? "an external study names the objectives its code returns" : "a command study names the objectives its program reports";
            objectives = study.HasPath("objectives")
                ? ObjectivesReader.Read(root, "study.objectives")
                : throw new ConfigurationException("study.objectives", $"missing ({kind}, for example: objectives = [{{ name = val-error }}, {{ name = params, cost = cheap }}])");
            space = study.HasPath("search-space")
                ? SearchSpaceReader.Read(root, "study.search-space")
                : throw new ConfigurationException("study.search-space", problem.IsExternal ? "missing (the parameters the study's code is given)" : "missing (the parameters the command's placeholders and request file name)");
            if (problem.Command is { } command)
            {
                CommandProblemReader.CheckPlaceholders(command, space);
            }

            defaultReference = null;
        }
        else if (problem.IsSynthetic)
        {
            var synthetic = SyntheticProblem.Create(problem.Type, new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
            objectives = study.HasPath("objectives") ? ObjectivesReader.Read(root, "study.objectives") : synthetic.Objectives;
            if (objectives.Count != synthetic.Objectives.Count)
            {
                throw new ConfigurationException("study.objectives", $"{objectives.Count} objectives, but problem {problem.Type} has {synthetic.Objectives.Count}");
            }

            space = study.HasPath("search-space") ? CheckedSyntheticSpace(SearchSpaceReader.Read(root, "study.search-space"), problem) : synthetic.Space;
            defaultReference = objectives.Select((o, i) => o.ToRecorded(synthetic.ReferencePoint[i])).ToArray();
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
            defaultReference = objectives.Select(o => o.ToRecorded(o.Name switch { "val-error" => 1.0, "params" => 1e7, "latency-ms" => 1000.0, _ => 1e9 })).ToArray();
        }

        var optimizer = OptimizerReader.Read(study, registry);
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
        foreach (var (key, problemText) in optimizer.Method.Check(optimizer.Settings, space).Take(1))
        {
            throw new ConfigurationException($"study.optimizer.{key}", problemText);
        }

        var reference = study.HasPath("reference-point")
            ? ReadNumbers(study, "reference-point", "study.reference-point")
            : defaultReference ?? throw new ConfigurationException("study.reference-point", "missing (the worst value of each objective, in the order of study.objectives, for the hypervolume)");
        if (reference.Length != objectives.Count)
        {
            throw new ConfigurationException("study.reference-point", $"{reference.Length} values for {objectives.Count} objectives");
        }

        RefuseReferenceOffScale(objectives, reference, study.HasPath("reference-point"));

        // The journal keeps the text, not the file's name: a name taken from the file is written into the text so
        // that a resumed study (and its report) has the name it started with.
        var named = study.HasPath("name");
        var name = named ? HoconReading.Text(study.GetValue("name"), "study.name") : fileName ?? "study";
        if (!named && fileName is not null)
        {
            hocon += $"\n# named after its file\nstudy.name = {Quote(name)}\n";
        }

        if (paths.ResolvedRelative && !ownBase && paths.BaseDirectory is { } folder)
        {
            // The journal keeps the text: a resumed study (from any working directory) finds the same files.
            hocon += $"\n# relative paths are relative to the study file's folder\nstudy.{StudyPaths.Key} = {Quote(folder)}\n";
        }

        return new StudyDefinition(optimizer, stop, problem, space)
        {
            Name = name,
            Seed = ReadLong(study, "seed", "study.seed", 0),
            DeviceNames = ReadDevices(study),
            Objectives = objectives,
            ReferencePoint = reference,
            Hocon = hocon + tabular?.HoconAddition,
        };
    }

    /// <summary>
    /// The reference point is stated in the objectives' own units, as their values are reported (a maximised one
    /// negated, as it is minimised), never in log10 units: the engine takes log10 of it as it does of the values. So
    /// a log-scale objective's reference must be a positive value.
    /// </summary>
    private static void RefuseReferenceOffScale(IReadOnlyList<Objective> objectives, double[] reference, bool stated)
    {
        for (var i = 0; i < objectives.Count; i++)
        {
            var objective = objectives[i];
            var value = objective.FromRecorded(reference[i]);
            if (objective.Scale == ObjectiveScale.Log && !(value > 0))
            {
                throw stated
                    ? new ConfigurationException($"study.reference-point[{i}]", string.Create(CultureInfo.InvariantCulture, $"{reference[i]:R} for {objective.Name}, which is on a log scale: the reference is stated in the objective's own units (not log10), so it must be {(objective.Direction == ObjectiveDirection.Minimize ? "positive" : "negative, a maximised value negated")}"))
                    : new ConfigurationException("study.reference-point", string.Create(CultureInfo.InvariantCulture, $"missing: the default reference of {objective.Name} ({value:R}) is not positive, and {objective.Name} is on a log scale; state one in the objective's own units"));
            }
        }
    }

    internal static void RejectUnknownKeys(Config section, string path, string[] known) => ConfigReading.RejectUnknownKeys(section, path, known);

    private static bool ReadBoolean(Config section, string key, string path) => ConfigReading.ReadBoolean(section, key, path);

    private static string RequireString(Config section, string key, string path) => ConfigReading.RequireString(section, key, path);

    private static double ReadDouble(Config section, string key, string path, double fallback, double minimum = double.MinValue, double maximum = double.MaxValue) =>
        ConfigReading.ReadDouble(section, key, path, fallback, minimum, maximum);

    private static long ReadLong(Config section, string key, string path, long fallback, long minimum = long.MinValue, long maximum = long.MaxValue) =>
        ConfigReading.ReadLong(section, key, path, fallback, minimum, maximum);

    internal static TimeSpan ReadDuration(Config section, string key, string path, TimeSpan fallback)
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

    private static double[] ReadNumbers(Config section, string key, string path) => ConfigReading.ReadNumbers(section, key, path);

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Format(double value) => ConfigReading.Format(value);
}
