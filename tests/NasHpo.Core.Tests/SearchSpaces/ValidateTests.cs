using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class ValidateTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
    [
        new IntegerParameter("conv_layers", 1, 3),
        new IntegerParameter("filters_2", 16, 1024, Log: true) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new FloatParameter("lr", 1e-5, 1, Log: true),
        new CategoricalParameter("optimizer", ["adam", "sgd"]),
        new BooleanParameter("bn"),
    ]);

    private static Dictionary<string, ParameterValue> Valid() => new()
    {
        ["conv_layers"] = ParameterValue.Of(2),
        ["filters_2"] = ParameterValue.Of(64),
        ["lr"] = ParameterValue.Of(0.01),
        ["optimizer"] = ParameterValue.Of("sgd"),
        ["bn"] = ParameterValue.Of(false),
    };

    private static void AssertInvalid(Action<Dictionary<string, ParameterValue>> change, string parameter, params string[] fragments)
    {
        var values = Valid();
        change(values);
        var error = Assert.Throws<SearchSpaceException>(() => Space.Validate(new Configuration(values)));
        Assert.Equal(parameter, error.ParameterName);
        Assert.Contains($"'{parameter}'", error.Message, StringComparison.Ordinal);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Valid_configuration_passes() => Space.Validate(new Configuration(Valid()));

    [Fact]
    public void Missing_active_parameter() => AssertInvalid(v => v.Remove("lr"), "lr", "active but has no value");

    [Fact]
    public void Inactive_parameter_present() =>
        AssertInvalid(v => v["conv_layers"] = ParameterValue.Of(1), "filters_2", "inactive", "conv_layers >= 2");

    [Fact]
    public void Unknown_parameter() => AssertInvalid(v => v["momentum"] = ParameterValue.Of(0.9), "momentum", "not in the search space");

    [Fact]
    public void Float_out_of_range() => AssertInvalid(v => v["lr"] = ParameterValue.Of(2.0), "lr", "2 is outside [1E-05, 1]");

    [Fact]
    public void Integer_out_of_range() => AssertInvalid(v => v["filters_2"] = ParameterValue.Of(2048), "filters_2", "2048 is outside [16, 1024]");

    [Fact]
    public void Non_integer_for_integer() => AssertInvalid(v => v["conv_layers"] = ParameterValue.Of(2.5), "conv_layers", "2.5 is not an integer");

    [Fact]
    public void Unknown_choice() => AssertInvalid(v => v["optimizer"] = ParameterValue.Of("sdg"), "optimizer", "\"sdg\" is not one of [adam, sgd]");

    [Fact]
    public void Number_for_a_choice() => AssertInvalid(v => v["optimizer"] = ParameterValue.Of(1), "optimizer", "is a number");

    [Fact]
    public void Text_for_a_number() => AssertInvalid(v => v["lr"] = ParameterValue.Of("fast"), "lr", "\"fast\" is a text");

    [Fact]
    public void Boolean_other_than_zero_or_one() => AssertInvalid(v => v["bn"] = ParameterValue.Of(2), "bn", "2 is not a boolean");

    [Fact]
    public void Encode_validates_too()
    {
        var values = Valid();
        values.Remove("optimizer");
        Assert.Throws<SearchSpaceException>(() => Space.Encode(new Configuration(values)));
    }
}
