using System.Globalization;
using Akka.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Problems;

namespace NasHpo.Configuration;

/// <summary>
/// Reads and validates a study definition (the <c>study</c> section of a HOCON file), reporting the first problem
/// as one line that names the HOCON path and the offending value, before anything is persisted.
/// </summary>
public static class StudyDefinitionReader
{
    private static readonly string[] StudyKeys = ["name", "seed", "devices", "objectives", "reference-point", "problem", "search-space", "optimizer", "stop"];
    private static readonly string[] ProblemKeys = ["type", "dimensions", "objectives", "delay", "noise-scale"];
    private static readonly string[] OptimizerKeys =
        ["type", "eta", "min-budget", "max-budget", "max-open-brackets", "random-fraction", "good-fraction", "candidates", "bandwidth-factor", "min-points-in-model", "promotion"];

    private static readonly string[] StopKeys = ["max-evaluations", "max-wall-clock"];

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
        return FromHocon(resolved, Path.GetFileName(path), Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Reads a definition from resolved HOCON text (a study file, or the text a journal kept).</summary>
    public static StudyDefinition FromHocon(string hocon) => FromHocon(hocon, "study", null);

    /// <summary>fileName, when given, names a study that does not name itself.</summary>
    private static StudyDefinition FromHocon(string hocon, string source, string? fileName)
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

        var problem = ReadProblem(study);
        var synthetic = SyntheticProblem.Create(problem.Type, new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
        var objectives = study.HasPath("objectives") ? ObjectivesReader.Read(root, "study.objectives") : synthetic.Objectives;
        if (objectives.Count != synthetic.Objectives.Count)
        {
            throw new ConfigurationException("study.objectives", $"{objectives.Count} objectives, but problem {problem.Type} has {synthetic.Objectives.Count}");
        }

        var space = study.HasPath("search-space") ? SearchSpaceReader.Read(root, "study.search-space") : synthetic.Space;
        var optimizer = ReadOptimizer(study);
        var stop = ReadStop(study);
        var reference = study.HasPath("reference-point")
            ? ReadNumbers(study, "reference-point", "study.reference-point")
            : objectives.Select((o, i) => o.ToMinimization(synthetic.ReferencePoint[i])).ToArray();
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
            Devices = (int)ReadLong(study, "devices", "study.devices", 1, minimum: 1),
            Optimizer = optimizer,
            Stop = stop,
            Problem = problem,
            Objectives = objectives,
            ReferencePoint = reference,
            Space = space,
            Hocon = named || fileName is null ? hocon : hocon + $"\n# named after its file\nstudy.name = {Quote(name)}\n",
        };
    }

    private static ProblemDefinition ReadProblem(Config study)
    {
        if (!study.HasPath("problem"))
        {
            throw new ConfigurationException("study.problem", "missing (for example: problem { type = zdt1, dimensions = 10 })");
        }

        var problem = study.GetConfig("problem");
        RejectUnknownKeys(problem, "study.problem", ProblemKeys);
        var type = RequireString(problem, "type", "study.problem.type");
        if (!SyntheticProblem.TypeNames.Contains(type, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.problem.type", $"unknown problem \"{type}\" (expected one of: {string.Join(", ", SyntheticProblem.TypeNames)})");
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

        return new ProblemDefinition(type, dimensions, objectives, delay, noise);
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

        if (optimizer.HasPath("promotion") && optimizer.GetString("promotion") != "synchronous")
        {
            throw new ConfigurationException("study.optimizer.promotion", $"\"{optimizer.GetString("promotion")}\" is not available yet (expected synchronous)");
        }

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

        var maxOpen = (int)ReadLong(optimizer, "max-open-brackets", "study.optimizer.max-open-brackets", int.MaxValue, minimum: 1);
        return new OptimizerDefinition(type, eta, minBudget, maxBudget, sampler, maxOpen);
    }

    private static StopCriteria ReadStop(Config study)
    {
        if (!study.HasPath("stop"))
        {
            throw new ConfigurationException("study.stop", "missing (set max-evaluations, max-wall-clock, or both)");
        }

        var stop = study.GetConfig("stop");
        RejectUnknownKeys(stop, "study.stop", StopKeys);
        int? evaluations = stop.HasPath("max-evaluations") ? (int)ReadLong(stop, "max-evaluations", "study.stop.max-evaluations", 0, minimum: 1) : null;
        TimeSpan? wallClock = stop.HasPath("max-wall-clock") ? ReadDuration(stop, "max-wall-clock", "study.stop.max-wall-clock", TimeSpan.Zero) : null;
        if (evaluations is null && wallClock is null)
        {
            throw new ConfigurationException("study.stop", "no criterion (set max-evaluations, max-wall-clock, or both)");
        }

        if (wallClock is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ConfigurationException("study.stop.max-wall-clock", $"{limit} must be positive");
        }

        return new StopCriteria(evaluations, wallClock);
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

    private static long ReadLong(Config section, string key, string path, long fallback, long minimum = long.MinValue)
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

        return value < minimum ? throw new ConfigurationException(path, $"{value} is below the minimum {minimum}") : value;
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
