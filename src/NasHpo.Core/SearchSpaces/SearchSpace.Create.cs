using System.Globalization;

namespace NasHpo.Core.SearchSpaces;

internal sealed partial class SearchSpace
{
    /// <summary>Validates and orders the parameters (parents before children); throws SearchSpaceException.</summary>
    /// <remarks>
    /// Names may hold letters, digits, '_', '-' and '.', so that they read unambiguously inside condition texts and
    /// canonical strings.
    /// </remarks>
    public static SearchSpace Create(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var byName = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
            CheckParameter(parameter);
            if (!byName.TryAdd(parameter.Name, parameter))
            {
                throw new SearchSpaceException("is defined twice", parameter.Name, "name");
            }
        }

        foreach (var parameter in byName.Values)
        {
            foreach (var condition in parameter.Conditions)
            {
                if (condition is null || condition.Parent is null)
                {
                    throw new SearchSpaceException("has an empty condition", parameter.Name, "conditions");
                }

                if (!byName.ContainsKey(condition.Parent))
                {
                    throw new SearchSpaceException($"unknown parameter \"{condition.Parent}\" in condition \"{condition}\"", parameter.Name, "conditions");
                }
            }
        }

        var ordered = TopologicalOrder(byName);
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Length; i++)
        {
            position[ordered[i].Name] = i;
        }

        var compiled = new CompiledCondition[ordered.Length][];
        for (var i = 0; i < ordered.Length; i++)
        {
            var parameter = ordered[i];
            compiled[i] = [.. parameter.Conditions.Select(c => Compile(parameter, c, byName[c.Parent], position[c.Parent]))];
        }

        return new SearchSpace(ordered, compiled);
    }

    private static void CheckParameter(Parameter parameter)
    {
        var name = parameter.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new SearchSpaceException("a parameter needs a non-empty name", null, "name");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                throw new SearchSpaceException($"name \"{name}\" may only hold letters, digits, '_', '-' and '.'", name, "name");
            }
        }

        if (parameter.Conditions is null)
        {
            throw new SearchSpaceException("conditions must not be null", name, "conditions");
        }

        switch (parameter)
        {
            case FloatParameter p:
                CheckBounds(name, p.Lower, p.Upper, p.Log, Configuration.Format);
                break;
            case IntegerParameter p:
                if (Math.Abs((double)p.Lower) > UnitCube.MaxExactInteger)
                {
                    throw new SearchSpaceException($"{p.Lower} is beyond ±2^53", name, "lower");
                }

                if (Math.Abs((double)p.Upper) > UnitCube.MaxExactInteger)
                {
                    throw new SearchSpaceException($"{p.Upper} is beyond ±2^53", name, "upper");
                }

                CheckBounds(name, p.Lower, p.Upper, p.Log, v => ((long)v).ToString(CultureInfo.InvariantCulture));
                break;
            case CategoricalParameter p:
                CheckChoices(name, p.Choices);
                break;
            case OrdinalParameter p:
                CheckChoices(name, p.Choices);
                break;
            case BooleanParameter:
                break;
            default:
                throw new SearchSpaceException($"unsupported parameter type {parameter.GetType().Name}", name, null);
        }
    }

    private static void CheckBounds(string name, double lower, double upper, bool log, Func<double, string> format)
    {
        if (!double.IsFinite(lower))
        {
            throw new SearchSpaceException($"{format(lower)} is not a finite number", name, "lower");
        }

        if (!double.IsFinite(upper))
        {
            throw new SearchSpaceException($"{format(upper)} is not a finite number", name, "upper");
        }

        if (lower > upper)
        {
            throw new SearchSpaceException($"{format(lower)} is greater than the upper bound {format(upper)}", name, "lower");
        }

        if (log && lower <= 0)
        {
            throw new SearchSpaceException($"{format(lower)} is not allowed on a log scale (bounds must be > 0)", name, "lower");
        }
    }

    private static void CheckChoices(string name, IReadOnlyList<string> choices)
    {
        if (choices is null || choices.Count == 0)
        {
            throw new SearchSpaceException("there must be at least one choice", name, "choices");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var choice in choices)
        {
            if (string.IsNullOrWhiteSpace(choice))
            {
                throw new SearchSpaceException($"\"{choice}\" is an empty choice", name, "choices");
            }

            if (!seen.Add(choice))
            {
                throw new SearchSpaceException($"\"{choice}\" is listed twice", name, "choices");
            }
        }
    }

    // Kahn's algorithm, always taking the ready parameter with the smallest ordinal name, so the order depends on
    // the definitions alone and never on the order they were given in.
    private static Parameter[] TopologicalOrder(Dictionary<string, Parameter> byName)
    {
        var pendingParents = new Dictionary<string, int>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var ready = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in byName)
        {
            var parents = parameter.Conditions.Select(c => c.Parent).Distinct(StringComparer.Ordinal).ToList();
            pendingParents[name] = parents.Count;
            foreach (var parent in parents)
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    list = [];
                    children[parent] = list;
                }

                list.Add(name);
            }

            if (parents.Count == 0)
            {
                ready.Add(name);
            }
        }

        var ordered = new List<Parameter>(byName.Count);
        while (ready.Count > 0)
        {
            var name = ready.Min!;
            ready.Remove(name);
            ordered.Add(byName[name]);
            foreach (var child in children.GetValueOrDefault(name) ?? [])
            {
                if (--pendingParents[child] == 0)
                {
                    ready.Add(child);
                }
            }
        }

        if (ordered.Count < byName.Count)
        {
            var cycle = FindCycle(byName, pendingParents.Where(kv => kv.Value > 0).Select(kv => kv.Key));
            throw new SearchSpaceException($"conditions form a cycle: {string.Join(" -> ", cycle)}", cycle[0], "conditions");
        }

        return [.. ordered];
    }

    // Every left-over parameter has a left-over parent, so walking parents from the smallest name must revisit one.
    private static List<string> FindCycle(Dictionary<string, Parameter> byName, IEnumerable<string> leftOver)
    {
        var remaining = new HashSet<string>(leftOver, StringComparer.Ordinal);
        var walk = new List<string>();
        var seenAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = remaining.Min(StringComparer.Ordinal)!;
        while (!seenAt.ContainsKey(current))
        {
            seenAt[current] = walk.Count;
            walk.Add(current);
            current = byName[current].Conditions
                .Select(c => c.Parent)
                .Where(remaining.Contains)
                .Min(StringComparer.Ordinal)!;
        }

        // The walk goes child -> parent; print it parent -> child, starting at the smallest name in the cycle.
        var cycle = walk.Skip(seenAt[current]).Reverse().ToList();
        var start = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
        cycle = [.. cycle.Skip(start), .. cycle.Take(start)];
        cycle.Add(cycle[0]);
        return cycle;
    }

    private static CompiledCondition Compile(Parameter child, Condition condition, Parameter parent, int parentIndex)
    {
        SearchSpaceException Fail(string detail) => new($"condition \"{condition}\": {detail}", child.Name, "conditions");

        if (!Enum.IsDefined(condition.Operator))
        {
            throw Fail("unknown operator");
        }

        var values = condition.Values ?? [];
        if (condition.Operator == ConditionOperator.In ? values.Count == 0 : values.Count != 1)
        {
            throw Fail(condition.Operator == ConditionOperator.In ? "'in' needs at least one value" : "needs exactly one value");
        }

        var ordering = condition.Operator is ConditionOperator.Less or ConditionOperator.LessOrEqual
            or ConditionOperator.Greater or ConditionOperator.GreaterOrEqual;
        var targets = new double[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i] ?? string.Empty;
            switch (parent)
            {
                case FloatParameter or IntegerParameter:
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                    {
                        throw Fail($"\"{value}\" is not a number, but \"{parent.Name}\" is numeric");
                    }

                    if (!ordering && !CanTake(parent, number))
                    {
                        throw Fail($"\"{parent.Name}\" can never be {value}");
                    }

                    targets[i] = number;
                    break;
                case BooleanParameter:
                    if (ordering)
                    {
                        throw Fail($"'{Condition.Symbol(condition.Operator)}' cannot compare the boolean \"{parent.Name}\"");
                    }

                    targets[i] = value.Trim().ToUpperInvariant() switch
                    {
                        "TRUE" or "1" => 1.0,
                        "FALSE" or "0" => 0.0,
                        _ => throw Fail($"\"{value}\" is not a boolean (true or false)"),
                    };
                    break;
                default:
                    if (ordering && parent is CategoricalParameter)
                    {
                        throw Fail($"'{Condition.Symbol(condition.Operator)}' cannot compare the categorical \"{parent.Name}\" (make it ordinal)");
                    }

                    var choices = ChoicesOf(parent);
                    var position = IndexOfChoice(choices, value);
                    if (position < 0)
                    {
                        throw Fail($"\"{value}\" is not a choice of \"{parent.Name}\" [{string.Join(", ", choices)}]");
                    }

                    targets[i] = position;
                    break;
            }
        }

        return new CompiledCondition(condition, parentIndex, targets);
    }

    private static int IndexOfChoice(IReadOnlyList<string> choices, string value)
    {
        for (var i = 0; i < choices.Count; i++)
        {
            if (string.Equals(choices[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool CanTake(Parameter parent, double number) => parent switch
    {
        FloatParameter p => number >= p.Lower && number <= p.Upper,
        IntegerParameter p => double.IsInteger(number) && number >= p.Lower && number <= p.Upper,
        _ => false,
    };
}
