namespace NasHpo.Core.SearchSpaces;

/// <summary>
/// A validated set of parameters with conditions, in topological order (parents first, ties by ordinal name), which is
/// also the order of the unit-cube encoding. Sampling is defined as decoding a uniform vector, so both agree by
/// construction.
/// </summary>
internal sealed partial class SearchSpace
{
    private readonly Parameter[] _parameters;
    private readonly Dictionary<string, int> _index;
    private readonly CompiledCondition[][] _conditions;
    private readonly Dictionary<string, int>[] _choiceIndex;

    private SearchSpace(Parameter[] parameters, CompiledCondition[][] conditions)
    {
        _parameters = parameters;
        _conditions = conditions;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _choiceIndex = new Dictionary<string, int>[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            _index[parameters[i].Name] = i;
            _choiceIndex[i] = new Dictionary<string, int>(StringComparer.Ordinal);
            var choices = ChoicesOf(parameters[i]);
            for (var c = 0; c < choices.Count; c++)
            {
                _choiceIndex[i][choices[c]] = c;
            }
        }
    }

    /// <summary>In topological order (parents first, ties by ordinal name): the order of the encoding.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    public int Dimension => _parameters.Length;

    /// <summary>Position of the parameter in Parameters (and in the encoding), or -1 when the space has none of that name.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The parameter of that name; throws KeyNotFoundException when the space has none.</summary>
    public Parameter this[string name] => _index.TryGetValue(name, out var index)
        ? _parameters[index]
        : throw new KeyNotFoundException($"the search space has no parameter '{name}'");

    /// <summary>Active when every condition holds for the configuration's parent value and every parent is itself active.</summary>
    public bool IsActive(Parameter parameter, Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(configuration);
        var index = IndexOf(parameter.Name);
        if (index < 0)
        {
            throw new ArgumentException($"the search space has no parameter '{parameter.Name}'", nameof(parameter));
        }

        return IsActive(index, configuration);
    }

    /// <summary>Uniform over the space: log-uniform for log scales, conditions respected.</summary>
    /// <remarks>Draws exactly Dimension doubles, whatever turns out active, so the stream position never depends on values.</remarks>
    public Configuration Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u = new double[_parameters.Length];
        for (var i = 0; i < u.Length; i++)
        {
            u[i] = random.NextDouble();
        }

        return Decode(u);
    }

    /// <summary>To the unit cube, one entry per parameter in Parameters order; inactive parameters encode as NaN.</summary>
    /// <remarks>
    /// Integers and choices encode to the centre of their cell. Floats encode to a point that decodes to exactly the
    /// same double whenever one exists within a few ulps (always for values produced by Sample, Decode or Mutate).
    /// </remarks>
    public double[] Encode(Configuration configuration)
    {
        var native = ValidateToNative(configuration);
        var encoded = new double[native.Length];
        for (var i = 0; i < native.Length; i++)
        {
            encoded[i] = double.IsNaN(native[i]) ? double.NaN : UnitCube.Encode(_parameters[i], native[i]);
        }

        return encoded;
    }

    /// <summary>From the unit cube; entries of parameters that turn out inactive are ignored (NaN allowed there).</summary>
    /// <remarks>Entries outside [0, 1] are clamped; an active parameter whose entry is NaN takes the midpoint 0.5.</remarks>
    public Configuration Decode(ReadOnlySpan<double> encoded)
    {
        if (encoded.Length != _parameters.Length)
        {
            throw new ArgumentException($"expected {_parameters.Length} entries, got {encoded.Length}", nameof(encoded));
        }

        var native = new double[_parameters.Length];
        for (var i = 0; i < native.Length; i++)
        {
            native[i] = IsActive(i, native) ? UnitCube.Decode(_parameters[i], encoded[i]) : double.NaN;
        }

        return ToConfiguration(native);
    }

    /// <summary>Throws SearchSpaceException when a value is missing, out of range, of the wrong kind, or set while inactive.</summary>
    public void Validate(Configuration configuration) => ValidateToNative(configuration);

    private static IReadOnlyList<string> ChoicesOf(Parameter parameter) => parameter switch
    {
        CategoricalParameter p => p.Choices,
        OrdinalParameter p => p.Choices,
        BooleanParameter => BooleanChoices,
        _ => [],
    };

    private static readonly string[] BooleanChoices = ["false", "true"];

    // Parents come first in _parameters, so their native values are final when a child is evaluated.
    private bool IsActive(int index, double[] native)
    {
        foreach (var condition in _conditions[index])
        {
            var parentValue = native[condition.ParentIndex];
            if (double.IsNaN(parentValue) || !condition.Holds(parentValue))
            {
                return false;
            }
        }

        return true;
    }

    private bool IsActive(int index, Configuration configuration)
    {
        foreach (var condition in _conditions[index])
        {
            var parent = condition.ParentIndex;
            if (!configuration.TryGetValue(_parameters[parent].Name, out var value)
                || !TryToNative(parent, value, out var parentValue)
                || !condition.Holds(parentValue)
                || !IsActive(parent, configuration))
            {
                return false;
            }
        }

        return true;
    }

    private Configuration ToConfiguration(double[] native)
    {
        var values = new List<KeyValuePair<string, ParameterValue>>(native.Length);
        for (var i = 0; i < native.Length; i++)
        {
            if (double.IsNaN(native[i]))
            {
                continue;
            }

            var parameter = _parameters[i];
            var value = parameter switch
            {
                CategoricalParameter p => ParameterValue.Of(p.Choices[(int)native[i]]),
                OrdinalParameter p => ParameterValue.Of(p.Choices[(int)native[i]]),
                _ => ParameterValue.Of(native[i]),
            };
            values.Add(new KeyValuePair<string, ParameterValue>(parameter.Name, value));
        }

        return new Configuration(values);
    }

    private bool TryToNative(int index, ParameterValue value, out double native)
    {
        native = double.NaN;
        switch (_parameters[index])
        {
            case FloatParameter p:
                if (value.Text is null && value.Number >= p.Lower && value.Number <= p.Upper)
                {
                    native = value.Number;
                }

                break;
            case IntegerParameter p:
                if (value.Text is null && double.IsInteger(value.Number) && value.Number >= p.Lower && value.Number <= p.Upper)
                {
                    native = value.Number;
                }

                break;
            case BooleanParameter:
                if (value.Text is null && value.Number is 0.0 or 1.0)
                {
                    native = value.Number;
                }

                break;
            default:
                if (value.Text is not null && _choiceIndex[index].TryGetValue(value.Text, out var choice))
                {
                    native = choice;
                }

                break;
        }

        return !double.IsNaN(native);
    }

    private double[] ValidateToNative(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var name in configuration.Values.Keys)
        {
            if (!_index.ContainsKey(name))
            {
                throw new SearchSpaceException("is not in the search space", name, null);
            }
        }

        var native = new double[_parameters.Length];
        for (var i = 0; i < native.Length; i++)
        {
            var parameter = _parameters[i];
            var active = IsActive(i, native);
            var present = configuration.TryGetValue(parameter.Name, out var value);
            if (active && !present)
            {
                throw new SearchSpaceException("is active but has no value", parameter.Name, null);
            }

            if (!active && present)
            {
                var failed = _conditions[i].First(c => double.IsNaN(native[c.ParentIndex]) || !c.Holds(native[c.ParentIndex]));
                throw new SearchSpaceException($"has a value but is inactive (condition \"{failed.Source}\" does not hold)", parameter.Name, null);
            }

            if (!present)
            {
                native[i] = double.NaN;
                continue;
            }

            if (!TryToNative(i, value, out native[i]))
            {
                throw new SearchSpaceException(DescribeBadValue(parameter, value), parameter.Name, "value");
            }
        }

        return native;
    }

    private static string DescribeBadValue(Parameter parameter, ParameterValue value)
    {
        var shown = value.Text is { } text ? $"\"{text}\"" : Configuration.Format(value.Number);
        return parameter switch
        {
            FloatParameter p when value.Text is null =>
                $"{shown} is outside [{Configuration.Format(p.Lower)}, {Configuration.Format(p.Upper)}]",
            IntegerParameter when value.Text is null && !double.IsInteger(value.Number) => $"{shown} is not an integer",
            IntegerParameter p when value.Text is null => $"{shown} is outside [{p.Lower}, {p.Upper}]",
            BooleanParameter when value.Text is null => $"{shown} is not a boolean (0 or 1)",
            FloatParameter or IntegerParameter or BooleanParameter => $"{shown} is a text, expected a number",
            _ when value.Text is null => $"{shown} is a number, expected one of [{string.Join(", ", ChoicesOf(parameter))}]",
            _ => $"{shown} is not one of [{string.Join(", ", ChoicesOf(parameter))}]",
        };
    }
}
