using NasHpo.Core.SearchSpaces;
using static NasHpo.Core.Tests.SearchSpaces.TestSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class SearchSpaceCreateTests
{
    private static void AssertError(SearchSpaceException error, string? parameter, string? field, params string[] fragments)
    {
        Assert.Equal(parameter, error.ParameterName);
        Assert.Equal(field, error.Field);
        Assert.DoesNotContain('\n', error.Message);
        if (parameter is not null)
        {
            Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
        }

        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_name_is_rejected() =>
        AssertError(CreateFails(new BooleanParameter("")), null, "name", "non-empty name");

    [Fact]
    public void Name_with_spaces_is_rejected() =>
        AssertError(CreateFails(new BooleanParameter("a b")), "a b", "name", "\"a b\"");

    [Fact]
    public void Duplicate_name_is_rejected() =>
        AssertError(CreateFails(new BooleanParameter("x"), new FloatParameter("x", 0, 1)), "x", "name", "twice");

    [Fact]
    public void Lower_above_upper_is_rejected() =>
        AssertError(CreateFails(new FloatParameter("lr", 2, 1)), "lr", "lower", "2", "greater than the upper bound 1");

    [Fact]
    public void Integer_lower_above_upper_is_rejected() =>
        AssertError(CreateFails(new IntegerParameter("layers", 5, 3)), "layers", "lower", "5", "3");

    [Fact]
    public void Log_scale_with_zero_bound_is_rejected() =>
        AssertError(CreateFails(new IntegerParameter("filters_2", 0, 1024, Log: true)), "filters_2", "lower", "0 is not allowed on a log scale");

    [Fact]
    public void Log_scale_with_negative_float_bound_is_rejected() =>
        AssertError(CreateFails(new FloatParameter("lr", -1, 1, Log: true)), "lr", "lower", "-1 is not allowed on a log scale");

    [Theory]
    [InlineData(double.NaN, 1.0, "lower", "NaN")]
    [InlineData(0.0, double.PositiveInfinity, "upper", "Infinity")]
    public void Non_finite_bounds_are_rejected(double lower, double upper, string field, string shown) =>
        AssertError(CreateFails(new FloatParameter("x", lower, upper)), "x", field, shown, "not a finite number");

    [Fact]
    public void Integer_bounds_beyond_exact_doubles_are_rejected() =>
        AssertError(CreateFails(new IntegerParameter("n", 0, long.MaxValue)), "n", "upper", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Empty_choices_are_rejected() =>
        AssertError(CreateFails(new CategoricalParameter("opt", [])), "opt", "choices", "at least one choice");

    [Fact]
    public void Duplicate_choices_are_rejected() =>
        AssertError(CreateFails(new OrdinalParameter("depth", ["small", "large", "small"])), "depth", "choices", "\"small\" is listed twice");

    [Fact]
    public void Blank_choice_is_rejected() =>
        AssertError(CreateFails(new CategoricalParameter("opt", ["adam", " "])), "opt", "choices", "empty choice");

    [Fact]
    public void Condition_on_unknown_parameter_is_rejected() =>
        AssertError(
            CreateFails(
                new IntegerParameter("conv_layers", 1, 3),
                new IntegerParameter("filters_2", 16, 64) { Conditions = [new Condition("conv_layer", ConditionOperator.GreaterOrEqual, "2")] }),
            "filters_2",
            "conditions",
            "unknown parameter \"conv_layer\"");

    [Fact]
    public void Condition_choice_not_in_list_is_rejected() =>
        AssertError(
            CreateFails(
                new CategoricalParameter("optimizer", ["adam", "sgd"]),
                new FloatParameter("momentum", 0, 1) { Conditions = [new Condition("optimizer", ConditionOperator.Equal, "sdg")] }),
            "momentum",
            "conditions",
            "\"sdg\" is not a choice");

    [Fact]
    public void Non_numeric_value_for_numeric_parent_is_rejected() =>
        AssertError(
            CreateFails(
                new IntegerParameter("conv_layers", 1, 3),
                new BooleanParameter("bn") { Conditions = [new Condition("conv_layers", ConditionOperator.Greater, "two")] }),
            "bn",
            "conditions",
            "\"two\" is not a number");

    [Fact]
    public void Impossible_equality_for_integer_parent_is_rejected() =>
        AssertError(
            CreateFails(
                new IntegerParameter("conv_layers", 1, 3),
                new BooleanParameter("bn") { Conditions = [new Condition("conv_layers", ConditionOperator.Equal, "2.5")] }),
            "bn",
            "conditions",
            "can never be 2.5");

    [Fact]
    public void Ordering_on_categorical_parent_is_rejected() =>
        AssertError(
            CreateFails(
                new CategoricalParameter("optimizer", ["adam", "sgd"]),
                new BooleanParameter("x") { Conditions = [new Condition("optimizer", ConditionOperator.Less, "sgd")] }),
            "x",
            "conditions",
            "'<' cannot compare the categorical");

    [Fact]
    public void Non_boolean_value_for_boolean_parent_is_rejected() =>
        AssertError(
            CreateFails(
                new BooleanParameter("bn"),
                new FloatParameter("m", 0, 1) { Conditions = [new Condition("bn", ConditionOperator.Equal, "yes")] }),
            "m",
            "conditions",
            "\"yes\" is not a boolean");

    [Fact]
    public void In_without_values_is_rejected() =>
        AssertError(
            CreateFails(
                new CategoricalParameter("optimizer", ["adam", "sgd"]),
                new BooleanParameter("x") { Conditions = [new Condition("optimizer", ConditionOperator.In, Array.Empty<string>())] }),
            "x",
            "conditions",
            "at least one value");

    [Fact]
    public void Cycle_is_rejected_naming_its_parameters()
    {
        var error = CreateFails(
            new BooleanParameter("root"),
            new BooleanParameter("a") { Conditions = [new Condition("c", ConditionOperator.Equal, "true")] },
            new BooleanParameter("b") { Conditions = [new Condition("a", ConditionOperator.Equal, "true")] },
            new BooleanParameter("c") { Conditions = [new Condition("b", ConditionOperator.Equal, "true"), new Condition("root", ConditionOperator.Equal, "true")] });
        AssertError(error, "a", "conditions", "cycle", "a -> b -> c -> a");
        Assert.DoesNotContain("root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_condition_is_a_cycle() =>
        AssertError(
            CreateFails(new BooleanParameter("a") { Conditions = [new Condition("a", ConditionOperator.Equal, "true")] }),
            "a",
            "conditions",
            "a -> a");

    [Fact]
    public void Order_is_topological_with_ties_by_ordinal_name_whatever_the_input_order()
    {
        var parameters = MixedParameters();
        var expected = SearchSpace.Create(parameters).Parameters.Select(p => p.Name).ToList();
        var random = new Randomness.DeterministicRandom(3);
        for (var trial = 0; trial < 20; trial++)
        {
            var shuffled = parameters.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, SearchSpace.Create(shuffled).Parameters.Select(p => p.Name).ToList());
        }

        // Roots in ordinal order, then children as soon as their parents are placed ("Z" sorts before "a").
        var order = SearchSpace.Create(
        [
            new BooleanParameter("b"),
            new BooleanParameter("a") { Conditions = [new Condition("b", ConditionOperator.Equal, "true")] },
            new BooleanParameter("c"),
            new BooleanParameter("Z"),
        ]).Parameters.Select(p => p.Name);
        Assert.Equal(["Z", "b", "a", "c"], order);
    }

    [Fact]
    public void Parents_come_before_children()
    {
        var space = Cascade();
        Assert.Equal(["a", "b", "c", "d"], space.Parameters.Select(p => p.Name));
        Assert.Equal(2, space.IndexOf("c"));
        Assert.Equal(-1, space.IndexOf("nope"));
        Assert.Equal(4, space.Dimension);
    }
}
