using System.Globalization;

namespace NasHpo.Core.SearchSpaces;

/// <summary>
/// Every configuration of a discrete space (integers, choices and booleans, conditions respected): the grid a
/// tabular benchmark trains exhaustively. A float parameter has no finite grid and is refused.
/// </summary>
internal static class DiscreteEnumeration
{
    /// <summary>More configurations than this is no table a machine can train; refusing early beats running out of memory.</summary>
    public const int MaxConfigurations = 1_000_000;

    /// <summary>
    /// The configurations in a fixed order: parameters in the space's topological order, each one's values in
    /// ascending order (integers), in the order written (choices), false before true (booleans); an inactive
    /// parameter takes no value.
    /// </summary>
    public static IReadOnlyList<Configuration> All(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var values = space.Parameters.Select(ValuesOf).ToArray();
        var result = new List<Configuration>();
        var assigned = new List<KeyValuePair<string, ParameterValue>>();
        Extend(space, values, 0, assigned, result);
        return result;
    }

    private static void Extend(SearchSpace space, IReadOnlyList<ParameterValue>[] values, int index, List<KeyValuePair<string, ParameterValue>> assigned, List<Configuration> result)
    {
        if (index == space.Dimension)
        {
            if (result.Count >= MaxConfigurations)
            {
                throw new SearchSpaceException(string.Create(CultureInfo.InvariantCulture, $"the space has more than {MaxConfigurations} configurations"));
            }

            result.Add(new Configuration(assigned));
            return;
        }

        var parameter = space.Parameters[index];
        // Parents come first in the topological order, so the partial configuration decides whether this one is active.
        if (!space.IsActive(parameter, new Configuration(assigned)))
        {
            Extend(space, values, index + 1, assigned, result);
            return;
        }

        foreach (var value in values[index])
        {
            assigned.Add(new KeyValuePair<string, ParameterValue>(parameter.Name, value));
            Extend(space, values, index + 1, assigned, result);
            assigned.RemoveAt(assigned.Count - 1);
        }
    }

    private static IReadOnlyList<ParameterValue> ValuesOf(Parameter parameter) => parameter switch
    {
        IntegerParameter p when p.Upper - p.Lower < MaxConfigurations =>
            Enumerable.Range(0, (int)(p.Upper - p.Lower + 1)).Select(i => ParameterValue.Of((double)(p.Lower + i))).ToArray(),
        IntegerParameter p => throw new SearchSpaceException($"parameter '{p.Name}' has {p.Upper - p.Lower + 1} values, too many to enumerate"),
        CategoricalParameter p => p.Choices.Select(ParameterValue.Of).ToArray(),
        OrdinalParameter p => p.Choices.Select(ParameterValue.Of).ToArray(),
        BooleanParameter => [ParameterValue.Of(false), ParameterValue.Of(true)],
        _ => throw new SearchSpaceException($"parameter '{parameter.Name}' is a {parameter.Kind.ToString().ToLowerInvariant()}, which has no finite set of values (a tabular space lists its values: int, categorical, ordinal or bool)"),
    };
}
