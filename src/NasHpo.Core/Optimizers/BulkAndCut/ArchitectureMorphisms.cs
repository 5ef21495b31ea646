using System.Globalization;
using System.Text.RegularExpressions;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.BulkAndCut;

/// <summary>
/// One change of a parent's architecture, named "{kind} {parameter}": what a <see cref="TrialLineage"/> records and
/// what a training workload performs on the parent's trained network.
/// </summary>
internal sealed record Morphism(string Kind, string Parameter)
{
    /// <summary>Bulk-up: more filters (filters_i) or units (units_i), the extra ones copies of existing ones (Net2WiderNet).</summary>
    public const string Wider = "wider";

    /// <summary>Bulk-up: one more layer (conv_layers or fc_layers) that starts as the identity (Net2DeeperNet).</summary>
    public const string Deeper = "deeper";

    /// <summary>Cut-down: fewer filters or units, the ones with the smallest L1 norm removed; trained by distillation.</summary>
    public const string Prune = "prune";

    /// <summary>Bulk-up of a parameter that names no network part (a synthetic problem's x3): a step up in the unit cube.</summary>
    public const string Grow = "grow";

    /// <summary>Cut-down of a parameter that names no network part: a step down in the unit cube.</summary>
    public const string Shrink = "shrink";

    public bool IsCutDown => Kind is Prune or Shrink;

    public override string ToString() => $"{Kind} {Parameter}";

    /// <summary>Reads "{kind} {parameter}" as written by <see cref="ToString"/>.</summary>
    public static Morphism Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] is not (Wider or Deeper or Prune or Grow or Shrink))
        {
            throw new FormatException($"\"{text}\" is not a morphism (expected \"{{wider|deeper|prune|grow|shrink}} {{parameter}}\")");
        }

        return new Morphism(parts[0], parts[1]);
    }
}

/// <summary>
/// The architecture changes BULK &amp; CUT makes (paper 001, §3.5), expressed as configurations of the study's own
/// search space, so a child is an ordinary point of the space that any workload can evaluate.
/// </summary>
/// <remarks>
/// A space that uses the names of paper 001's Table 2 (conv_layers, filters_i, kernel_i, batch_norm_i, fc_layers,
/// units_i, global_avg_pooling) is a network space: bulk-up doubles one layer's filters or units (capped at the
/// parameter's upper bound) or adds one layer behind the last (the new layer copies the last one's width, takes the
/// smallest kernel and no batch norm, so that it can start as the identity); cut-down removes 25–50 % of one layer's
/// filters or units (never below the lower bound). A space that ties one width to every layer (filters, units,
/// kernel, batch_norm without a layer number, as the tabular grids do) is a network space too: its widths may be
/// lists of sizes (ordinal), which bulk-up moves to the smallest size at least twice the current and cut-down to the
/// largest at most three quarters of it, and a new layer shares the tied settings. Every other parameter that is not a hyperparameter is grown or
/// shrunk by a random step of 0.05–0.25 in the unit cube; on a synthetic problem (zdt1, dtlz2), where no parameter
/// names a network part, that is the whole of bulk-up and cut-down, and the workload simply evaluates the child (a
/// study of a synthetic problem hands the distance variables to constrained BO, so the steps move the position
/// variables). Hyperparameters (by default, in a network space, every parameter that is not a Table 2 architecture
/// name; in any other space none) are never changed here: constrained BO chooses them.
/// </remarks>
internal sealed partial class ArchitectureMorphisms
{
    private readonly SearchSpace _space;
    private readonly HashSet<string> _hyperparameters;

    public ArchitectureMorphisms(SearchSpace space, IReadOnlyCollection<string>? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        var names = hyperparameters ?? DefaultHyperparameters(space);
        foreach (var name in names)
        {
            if (space.IndexOf(name) < 0)
            {
                throw new ArgumentException($"hyperparameter \"{name}\" is not in the search space", nameof(hyperparameters));
            }
        }

        _hyperparameters = new HashSet<string>(names, StringComparer.Ordinal);
        Hyperparameters = space.Parameters.Select(p => p.Name).Where(_hyperparameters.Contains).ToArray();
    }

    /// <summary>The parameters constrained BO chooses for a child, in the space's order.</summary>
    public IReadOnlyList<string> Hyperparameters { get; }

    /// <summary>True when the space describes paper 001's network by the Table 2 names.</summary>
    public static bool IsNetworkSpace(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.IndexOf("conv_layers") >= 0 || space.IndexOf("fc_layers") >= 0;
    }

    /// <summary>In a network space, every parameter that is not a Table 2 architecture name; elsewhere none.</summary>
    public static IReadOnlyList<string> DefaultHyperparameters(SearchSpace space) =>
        IsNetworkSpace(space) ? space.Parameters.Select(p => p.Name).Where(n => !IsNetworkPart(n)).ToArray() : [];

    public bool IsHyperparameter(string name) => _hyperparameters.Contains(name);

    /// <summary>The bulk-up morphisms that change the parent within the space's bounds.</summary>
    public IReadOnlyList<Morphism> BulkUpOptions(Configuration parent) => Options(parent, bulkUp: true);

    /// <summary>The cut-down morphisms that change the parent within the space's bounds.</summary>
    public IReadOnlyList<Morphism> CutDownOptions(Configuration parent) => Options(parent, bulkUp: false);

    /// <summary>The child configuration: the parent with the morphism applied, conditions repaired.</summary>
    public Configuration Apply(Configuration parent, Morphism morphism, Random random)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(morphism);
        ArgumentNullException.ThrowIfNull(random);
        var values = new Dictionary<string, ParameterValue>(parent.Values, StringComparer.Ordinal);
        var parameter = _space[morphism.Parameter];
        if (parameter is OrdinalParameter ordinal && morphism.Kind is Morphism.Wider or Morphism.Prune)
        {
            values[parameter.Name] = ParameterValue.Of(StepAlong(ordinal, parent.Values[parameter.Name], wider: morphism.Kind == Morphism.Wider));
            return Validated(values, random);
        }

        var value = parent.GetDouble(morphism.Parameter);
        switch (morphism.Kind)
        {
            case Morphism.Wider:
                values[parameter.Name] = ParameterValue.Of(Math.Min(UpperOf(parameter), 2 * value));
                break;
            case Morphism.Prune:
                {
                    var keep = 0.5 + (0.25 * random.NextDouble());
                    values[parameter.Name] = ParameterValue.Of(Math.Max(LowerOf(parameter), Math.Min(value - 1, Math.Floor(value * keep))));
                    break;
                }

            case Morphism.Deeper:
                AddLayer(values, parameter, (int)value);
                break;
            case Morphism.Grow or Morphism.Shrink:
                values[parameter.Name] = ParameterValue.Of(Step(parameter, value, morphism.Kind == Morphism.Grow, random));
                break;
            default:
                throw new ArgumentException($"unknown morphism kind \"{morphism.Kind}\"", nameof(morphism));
        }

        return Validated(values, random);
    }

    private Configuration Validated(Dictionary<string, ParameterValue> values, Random random)
    {
        var child = Repair(values, random);
        _space.Validate(child);
        return child;
    }

    /// <summary>
    /// The width's sizes when every choice is a number and they increase along the list (widths are ordered); null
    /// otherwise, and such a parameter is left alone.
    /// </summary>
    private static double[]? NumericChoices(OrdinalParameter parameter)
    {
        var numbers = new double[parameter.Choices.Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            if (!double.TryParse(parameter.Choices[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || (i > 0 && numbers[i] <= numbers[i - 1]))
            {
                return null;
            }
        }

        return numbers;
    }

    private static int ChoiceIndex(OrdinalParameter parameter, ParameterValue current)
    {
        var text = current.Text ?? current.Number.ToString("R", CultureInfo.InvariantCulture);
        for (var i = 0; i < parameter.Choices.Count; i++)
        {
            if (parameter.Choices[i] == text
                || (double.TryParse(parameter.Choices[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var choice) && !current.IsText && choice == current.Number))
            {
                return i;
            }
        }

        throw new ArgumentException($"'{current}' is not a choice of parameter '{parameter.Name}'");
    }

    /// <summary>
    /// Wider: the smallest size at least twice the current one, or the largest (Net2WiderNet doubles). Prune: the
    /// largest size at most three quarters of the current one (25–50 % removed), or the next smaller one.
    /// </summary>
    private static string StepAlong(OrdinalParameter parameter, ParameterValue current, bool wider)
    {
        var sizes = NumericChoices(parameter) ?? throw new ArgumentException($"parameter '{parameter.Name}' is not a list of sizes");
        var index = ChoiceIndex(parameter, current);
        var size = sizes[index];
        int next;
        if (wider)
        {
            next = Array.FindIndex(sizes, s => s >= 2 * size);
            next = next < 0 ? sizes.Length - 1 : next;
        }
        else
        {
            next = Array.FindLastIndex(sizes, s => s <= 0.75 * size);
            next = next < 0 ? index - 1 : next;
        }

        if (next == index || next < 0 || next >= sizes.Length)
        {
            throw new ArgumentException($"parameter '{parameter.Name}' has no {(wider ? "wider" : "narrower")} size than {parameter.Choices[index]}");
        }

        return parameter.Choices[next];
    }

    private List<Morphism> Options(Configuration parent, bool bulkUp)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var options = new List<Morphism>();
        foreach (var parameter in _space.Parameters)
        {
            if (!parent.TryGetValue(parameter.Name, out var current) || _hyperparameters.Contains(parameter.Name))
            {
                continue;
            }

            var name = parameter.Name;
            if (IsWidth(name) && parameter is OrdinalParameter ordinal && NumericChoices(ordinal) is { } choices)
            {
                // A width given as a list of sizes (a tabular grid's filters = [8, 16, 32]): one step along the list.
                var index = ChoiceIndex(ordinal, current);
                if (bulkUp ? index < choices.Length - 1 : index > 0)
                {
                    options.Add(new Morphism(bulkUp ? Morphism.Wider : Morphism.Prune, name));
                }

                continue;
            }

            if (current.IsText || parameter is not (IntegerParameter or FloatParameter))
            {
                continue;
            }

            var value = current.Number;
            if (IsWidth(name) && parameter is IntegerParameter)
            {
                if (bulkUp ? value < UpperOf(parameter) : value > LowerOf(parameter))
                {
                    options.Add(new Morphism(bulkUp ? Morphism.Wider : Morphism.Prune, name));
                }
            }
            else if (name is "conv_layers" or "fc_layers" && parameter is IntegerParameter)
            {
                // Pruning removes filters and units, never layers (paper 001: structured pruning of units and filters).
                // With one width for every layer (tied), the new layer simply shares it.
                var tied = _space.IndexOf(TiedWidthOf(name)) >= 0;
                var widthFollows = tied
                    ? parent.Contains(TiedWidthOf(name))
                    : _space.IndexOf(WidthOf(name, (int)value + 1)) >= 0 && parent.Contains(WidthOf(name, (int)value));
                if (bulkUp && value < UpperOf(parameter) && widthFollows)
                {
                    options.Add(new Morphism(Morphism.Deeper, name));
                }
            }
            else if (!IsNetworkPart(name) && (bulkUp ? value < UpperOf(parameter) : value > LowerOf(parameter)))
            {
                options.Add(new Morphism(bulkUp ? Morphism.Grow : Morphism.Shrink, name));
            }
        }

        return options;
    }

    /// <summary>
    /// Layer k + 1 behind the last: as wide as layer k, the smallest kernel and no batch norm, which is what lets the
    /// workload start it as the identity.
    /// </summary>
    private void AddLayer(Dictionary<string, ParameterValue> values, Parameter count, int layers)
    {
        values[count.Name] = ParameterValue.Of(layers + 1);
        if (_space.IndexOf(TiedWidthOf(count.Name)) >= 0)
        {
            // One width, kernel and batch-norm setting for every layer (a tabular grid): the new layer shares them.
            return;
        }

        var width = WidthOf(count.Name, layers + 1);
        var widthParameter = _space[width];
        values[width] = ParameterValue.Of(Math.Clamp(values[WidthOf(count.Name, layers)].Number, LowerOf(widthParameter), UpperOf(widthParameter)));
        if (count.Name == "conv_layers")
        {
            var kernel = $"kernel_{layers + 1}";
            if (_space.IndexOf(kernel) >= 0)
            {
                values[kernel] = SmallestKernel(_space[kernel]);
            }

            var batchNorm = $"batch_norm_{layers + 1}";
            if (_space.IndexOf(batchNorm) >= 0 && _space[batchNorm] is BooleanParameter)
            {
                values[batchNorm] = ParameterValue.Of(false);
            }
        }
    }

    private static ParameterValue SmallestKernel(Parameter kernel) => kernel switch
    {
        CategoricalParameter p => ParameterValue.Of(SmallestNumber(p.Choices)),
        OrdinalParameter p => ParameterValue.Of(SmallestNumber(p.Choices)),
        IntegerParameter p => ParameterValue.Of(p.Lower % 2 == 1 ? p.Lower : p.Lower + 1),
        _ => throw new ArgumentException($"parameter '{kernel.Name}' is not a kernel size"),
    };

    private static string SmallestNumber(IReadOnlyList<string> choices) =>
        choices.OrderBy(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.MaxValue).First();

    /// <summary>Drops values of parameters that became inactive and gives newly active ones a random value.</summary>
    private Configuration Repair(Dictionary<string, ParameterValue> values, Random random)
    {
        // Parameters are in topological order, so each activity check sees its parents' final values.
        foreach (var parameter in _space.Parameters)
        {
            var active = _space.IsActive(parameter, new Configuration(values));
            if (!active)
            {
                values.Remove(parameter.Name);
            }
            else if (!values.ContainsKey(parameter.Name))
            {
                var sample = _space.Sample(random);
                values[parameter.Name] = sample.TryGetValue(parameter.Name, out var drawn)
                    ? drawn
                    : throw new InvalidOperationException($"parameter '{parameter.Name}' became active but a sample of the space leaves it out");
            }
        }

        return new Configuration(values);
    }

    private static double Step(Parameter parameter, double value, bool up, Random random)
    {
        var step = 0.05 + (0.2 * random.NextDouble());
        var u = UnitCube.Encode(parameter, value);
        var moved = UnitCube.Decode(parameter, Math.Clamp(up ? u + step : u - step, 0.0, 1.0));
        if (moved == value && parameter is IntegerParameter)
        {
            // A step too small to leave an integer's cell moves it to the neighbour: the child must differ.
            moved = value + (up ? 1 : -1);
        }

        return moved;
    }

    private static double UpperOf(Parameter parameter) => parameter switch
    {
        IntegerParameter p => p.Upper,
        FloatParameter p => p.Upper,
        _ => throw new ArgumentException($"parameter '{parameter.Name}' is not a number"),
    };

    private static double LowerOf(Parameter parameter) => parameter switch
    {
        IntegerParameter p => p.Lower,
        FloatParameter p => p.Lower,
        _ => throw new ArgumentException($"parameter '{parameter.Name}' is not a number"),
    };

    private static string WidthOf(string count, int layer) =>
        string.Create(CultureInfo.InvariantCulture, $"{(count == "conv_layers" ? "filters" : "units")}_{layer}");

    private static string TiedWidthOf(string count) => count == "conv_layers" ? "filters" : "units";

    private static bool IsWidth(string name) => WidthName().IsMatch(name);

    private static bool IsNetworkPart(string name) =>
        name is "conv_layers" or "fc_layers" or "global_avg_pooling" || NetworkPartName().IsMatch(name);

    // Per layer (filters_2) or one for every layer (filters), as a tabular grid ties them.
    [GeneratedRegex("^(filters|units)(_[1-9][0-9]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex WidthName();

    [GeneratedRegex("^(filters|units|kernel|batch_norm)(_[1-9][0-9]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NetworkPartName();
}
