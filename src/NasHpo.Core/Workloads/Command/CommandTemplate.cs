using System.Globalization;
using System.Text.RegularExpressions;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Workloads.Command;

/// <summary>What a trial's command line may name besides its parameters.</summary>
/// <param name="Budget">the trial's budget</param>
/// <param name="Trial">the trial's id</param>
/// <param name="Seed">the trial's seed</param>
/// <param name="Device">the device the trial runs on</param>
/// <param name="CheckpointDirectory">where the trial keeps its checkpoints</param>
/// <param name="ParentCheckpointDirectory">null when the trial does not continue from a parent</param>
/// <param name="RequestFile">the file that holds the trial's request</param>
internal sealed record CommandValues(double Budget, string Trial, long Seed, string Device, string CheckpointDirectory, string? ParentCheckpointDirectory, string RequestFile);

/// <summary>
/// A command line with placeholders: <c>${name}</c> for every parameter of the search space, plus <c>${budget}</c>,
/// <c>${trial}</c>, <c>${seed}</c>, <c>${device}</c>, <c>${checkpoint-dir}</c>, <c>${parent-checkpoint-dir}</c> and
/// <c>${request}</c>. An argument that names a value the trial does not have (an inactive conditional parameter, or
/// the parent directory of a trial without one) is dropped, and with it the option just before it when that option
/// has no placeholder of its own: <c>"--units-3", "${units_3}"</c> vanish together.
/// </summary>
internal static partial class CommandTemplate
{
    public const string Budget = "budget";
    public const string Trial = "trial";
    public const string Seed = "seed";
    public const string Device = "device";
    public const string CheckpointDirectory = "checkpoint-dir";
    public const string ParentCheckpointDirectory = "parent-checkpoint-dir";
    public const string Request = "request";

    public static IReadOnlyList<string> FixedNames { get; } = [Budget, Trial, Seed, Device, CheckpointDirectory, ParentCheckpointDirectory, Request];

    /// <summary>The names an argument's placeholders refer to, in order.</summary>
    public static IEnumerable<string> NamesIn(string argument) =>
        Placeholder().Matches(argument ?? string.Empty).Select(m => m.Groups[1].Value);

    /// <summary>The first placeholder of the argument that is neither a parameter of the space nor a fixed name, or null.</summary>
    public static string? FirstUnknown(string argument, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return NamesIn(argument).FirstOrDefault(name => space.IndexOf(name) < 0 && !FixedNames.Contains(name, StringComparer.Ordinal));
    }

    /// <summary>The trial's command line: every placeholder replaced, arguments of missing values dropped.</summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> arguments, SearchSpace space, Configuration configuration, CommandValues values)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(values);
        var result = new List<string>(arguments.Count);
        var lastKeptOption = -1;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var missing = false;
            var expanded = Placeholder().Replace(argument, match =>
            {
                var text = ValueOf(match.Groups[1].Value, space, configuration, values);
                missing |= text is null;
                return text ?? string.Empty;
            });
            if (missing)
            {
                // The option that introduced the dropped value goes with it ("--units-3", "${units_3}").
                if (lastKeptOption == i - 1 && lastKeptOption >= 0 && i > 0)
                {
                    result.RemoveAt(result.Count - 1);
                }

                lastKeptOption = -1;
                continue;
            }

            result.Add(expanded);
            lastKeptOption = argument.StartsWith('-') && !Placeholder().IsMatch(argument) ? i : -1;
        }

        return result;
    }

    /// <summary>A parameter's value as a program reads it: invariant numbers, integers without a point, true/false, choice texts.</summary>
    public static string Format(Parameter parameter, ParameterValue value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (value.Text is { } text)
        {
            return text;
        }

        return parameter.Kind switch
        {
            ParameterKind.Boolean => value.Number != 0 ? "true" : "false",
            ParameterKind.Integer => ((long)Math.Round(value.Number)).ToString(CultureInfo.InvariantCulture),
            _ => FormatNumber(value.Number),
        };
    }

    /// <summary>Integral numbers without a decimal point (a budget of 9 is "9"), others in round-trip form.</summary>
    public static string FormatNumber(double number) =>
        number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);

    private static string? ValueOf(string name, SearchSpace space, Configuration configuration, CommandValues values) => name switch
    {
        Budget => FormatNumber(values.Budget),
        Trial => values.Trial,
        Seed => values.Seed.ToString(CultureInfo.InvariantCulture),
        Device => values.Device,
        CheckpointDirectory => values.CheckpointDirectory,
        ParentCheckpointDirectory => values.ParentCheckpointDirectory,
        Request => values.RequestFile,
        _ => configuration.Values.TryGetValue(name, out var value) && space.IndexOf(name) >= 0 ? Format(space[name], value) : null,
    };

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex Placeholder();
}
