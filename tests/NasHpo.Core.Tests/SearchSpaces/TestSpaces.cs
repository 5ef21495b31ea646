using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

internal static class TestSpaces
{
    /// <summary>Every kind of parameter, conditions on numeric, categorical and ordinal parents.</summary>
    public static IReadOnlyList<Parameter> MixedParameters() =>
    [
        new FloatParameter("learning_rate", 1e-5, 1.0, Log: true),
        new FloatParameter("dropout", 0.0, 0.9),
        new IntegerParameter("conv_layers", 1, 3),
        new IntegerParameter("filters_1", 16, 1024, Log: true),
        new IntegerParameter("filters_2", 16, 1024, Log: true) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2")] },
        new IntegerParameter("filters_3", 16, 1024, Log: true) { Conditions = [new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "3")] },
        new CategoricalParameter("kernel_1", ["3", "5", "7"]),
        new OrdinalParameter("depth", ["small", "medium", "large"]),
        new IntegerParameter("extra_blocks", 0, 4) { Conditions = [new Condition("depth", ConditionOperator.Greater, "small")] },
        new BooleanParameter("batch_norm"),
        new FloatParameter("bn_momentum", 0.5, 0.999) { Conditions = [new Condition("batch_norm", ConditionOperator.Equal, "true")] },
        new CategoricalParameter("optimizer", ["adam", "sgd", "rmsprop"]),
        new FloatParameter("momentum", 0.0, 0.99) { Conditions = [new Condition("optimizer", ConditionOperator.In, ["sgd", "rmsprop"])] },
        new BooleanParameter("nesterov") { Conditions = [new Condition("optimizer", ConditionOperator.Equal, "sgd")] },
    ];

    public static SearchSpace Mixed() => SearchSpace.Create(MixedParameters());

    /// <summary>A chain a → b → c → d where each level is active only under a condition on the previous one.</summary>
    public static SearchSpace Cascade() => SearchSpace.Create(
    [
        new IntegerParameter("d", 0, 9) { Conditions = [new Condition("c", ConditionOperator.Equal, "true")] },
        new BooleanParameter("c") { Conditions = [new Condition("b", ConditionOperator.Equal, "on")] },
        new CategoricalParameter("b", ["on", "off"]) { Conditions = [new Condition("a", ConditionOperator.Less, "0.5")] },
        new FloatParameter("a", 0, 1),
    ]);

    public static SearchSpaceException CreateFails(params Parameter[] parameters) =>
        Assert.Throws<SearchSpaceException>(() => SearchSpace.Create(parameters));
}
