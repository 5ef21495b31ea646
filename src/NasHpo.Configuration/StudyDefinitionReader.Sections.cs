using System.Globalization;
using Akka.Configuration;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Configuration.Tabular;
using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration;

/// <summary>The study's sections besides its objectives, space and optimizer: the problem, the devices and the stop criteria.</summary>
public static partial class StudyDefinitionReader
{
    private static ProblemDefinition ReadProblem(Config study, StudyPaths paths)
    {
        if (!study.HasPath("problem"))
        {
            throw new ConfigurationException("study.problem", "missing (for example: problem { type = zdt1, dimensions = 10 })");
        }

        var problem = study.GetConfig("problem");
        var type = RequireString(problem, "type", "study.problem.type");
        if (ProblemDefinition.DatasetTypes.Contains(type, StringComparer.Ordinal))
        {
            return ReadDatasetProblem(problem, type, paths);
        }

        if (type == ProblemDefinition.ExternalType)
        {
            ConfigReading.RejectUnknownKeys(problem, "study.problem", ["type"], "external");
            return new ProblemDefinition(type, 0, 0, TimeSpan.Zero, 0);
        }

        if (type == CommandProblemReader.Type)
        {
            return new ProblemDefinition(type, 0, 0, TimeSpan.Zero, 0) { Command = CommandProblemReader.Read(problem, paths) };
        }

        RejectUnknownKeys(problem, "study.problem", ProblemKeys);
        if (!SyntheticProblem.TypeNames.Contains(type, StringComparer.Ordinal))
        {
            throw new ConfigurationException("study.problem.type", $"unknown problem \"{type}\" (expected one of: {string.Join(", ", SyntheticProblem.TypeNames.Concat(ProblemDefinition.DatasetTypes).Append(CommandProblemReader.Type).Append(ProblemDefinition.TabularType).Append(ProblemDefinition.ExternalType))})");
        }

        var dimensions = (int)ReadLong(problem, "dimensions", "study.problem.dimensions", 10, minimum: 1, maximum: MaxSyntheticDimensions);
        var objectives = (int)ReadLong(problem, "objectives", "study.problem.objectives", type == "dtlz2" ? 3 : 2, minimum: 1, maximum: MaxSyntheticObjectives);
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

        var value = study.GetValue("devices");
        if (!HoconReading.IsList(value))
        {
            if (HoconReading.IsObject(value))
            {
                throw new ConfigurationException("study.devices", "expected a number of CPU slots or a list of devices, got an object");
            }

            var count = (int)ReadLong(study, "devices", "study.devices", 1, minimum: 1, maximum: MaxDevices);
            return Enumerable.Range(0, count).Select(i => $"cpu-{i}").ToArray();
        }

        var names = HoconReading.List(value, "study.devices").Select((item, i) => HoconReading.Text(item, $"study.devices[{i}]")).ToList();
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
                // A GPU listed k times runs k trials at once (small networks leave most of a GPU idle); each slot is
                // its own device actor: "cuda-0", "cuda-0.2", "cuda-0.3".
                var slot = result.Count(n => n == $"cuda-{index}" || n.StartsWith($"cuda-{index}.", StringComparison.Ordinal)) + 1;
                result.Add(slot == 1 ? $"cuda-{index}" : $"cuda-{index}.{slot}");
            }
            else
            {
                throw new ConfigurationException($"study.devices[{i}]", $"\"{names[i]}\" is not a device (expected cpu or cuda:N)");
            }
        }

        return result.ToArray();
    }

    /// <summary>
    /// A synthetic problem evaluates x0..x{n-1}, each a number in [0, 1] (it refuses any other value mid-study): a
    /// space declared for it must give every one of them as such (a range or choices inside [0, 1]), and always (no
    /// condition). Other parameters may be declared beside them.
    /// </summary>
    private static SearchSpace CheckedSyntheticSpace(SearchSpace space, ProblemDefinition problem)
    {
        for (var i = 0; i < problem.Dimensions; i++)
        {
            var name = SyntheticProblem.VariableName(i);
            var path = $"study.search-space.{name}";
            var index = space.IndexOf(name);
            if (index < 0)
            {
                throw new ConfigurationException(path, $"missing: {problem.Type} with {problem.Dimensions} dimensions evaluates x0..x{problem.Dimensions - 1}");
            }

            var parameter = space.Parameters[index];
            IReadOnlyList<string> choices = parameter switch
            {
                CategoricalParameter categorical => categorical.Choices,
                OrdinalParameter ordinal => ordinal.Choices,
                _ => [],
            };
            for (var c = 0; c < choices.Count; c++)
            {
                if (HoconReading.ParseNumber(choices[c]) is not (>= 0 and <= 1))
                {
                    throw new ConfigurationException($"{path}.choices[{c}]", $"\"{choices[c]}\" is not a number in [0, 1], the range {problem.Type} evaluates");
                }
            }

            var (lower, upper) = parameter switch
            {
                FloatParameter number => (number.Lower, number.Upper),
                IntegerParameter number => ((double)number.Lower, (double)number.Upper),
                _ => (0.0, 1.0),
            };
            if (lower < 0 || upper > 1)
            {
                throw new ConfigurationException(path, $"[{Format(lower)}, {Format(upper)}] is outside [0, 1], the range {problem.Type} evaluates");
            }

            if (parameter.Conditions.Count > 0)
            {
                throw new ConfigurationException($"{path}.when", $"{problem.Type} evaluates every variable of every configuration; {name} cannot be conditional");
            }
        }

        return space;
    }

    /// <summary>Refuses a section written as a value or a list where an object { ... } belongs.</summary>
    private static void RequireObject(Config parent, string key, string path)
    {
        // Akka keeps "null" as no value at all.
        var value = parent.GetValue(key);
        if (value is null || !HoconReading.IsObject(value))
        {
            throw new ConfigurationException(path, $"expected an object {{ ... }}, got {(value is null ? "null" : HoconReading.Show(value))}");
        }
    }

    private static StopCriteria ReadStop(Config study)
    {
        if (!study.HasPath("stop"))
        {
            throw new ConfigurationException("study.stop", "missing (set max-evaluations, max-wall-clock, max-budget-spent, or several)");
        }

        var stop = study.GetConfig("stop");
        RejectUnknownKeys(stop, "study.stop", StopKeys);
        int? evaluations = stop.HasPath("max-evaluations") ? (int)ReadLong(stop, "max-evaluations", "study.stop.max-evaluations", 0, minimum: 1, maximum: int.MaxValue) : null;
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

    // The study's one set of parsing rules (ConfigReading, HoconReading); these names stay for the readers here.
}
