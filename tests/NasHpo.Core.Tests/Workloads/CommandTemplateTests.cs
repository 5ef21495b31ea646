using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Workloads.Command;

namespace NasHpo.Core.Tests.Workloads;

/// <summary>Placeholders of a command study's command line, and the arguments of inactive parameters dropped.</summary>
public sealed class CommandTemplateTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
    [
        new FloatParameter("learning_rate", 1e-4, 1e-1, Log: true),
        new IntegerParameter("fc_layers", 1, 3),
        new IntegerParameter("units_3", 8, 64) { Conditions = [new Condition("fc_layers", ConditionOperator.GreaterOrEqual, "3")] },
        new BooleanParameter("batch_norm"),
        new CategoricalParameter("optimizer", ["adam", "sgd"]),
    ]);

    private static readonly CommandValues Values = new(9, "trial-3-b9", 12345, "cuda:1", "/c/trial-3-b9", null, "/c/trial-3-b9.request.json");

    private static Configuration Of(int fcLayers, int? units3 = null)
    {
        var values = new Dictionary<string, ParameterValue>
        {
            ["learning_rate"] = ParameterValue.Of(0.001),
            ["fc_layers"] = ParameterValue.Of(fcLayers),
            ["batch_norm"] = ParameterValue.Of(true),
            ["optimizer"] = ParameterValue.Of("sgd"),
        };
        if (units3 is { } units)
        {
            values["units_3"] = ParameterValue.Of(units);
        }

        return new Configuration(values);
    }

    [Fact]
    public void Every_placeholder_is_replaced_with_invariant_text()
    {
        string[] command = ["python3", "train.py", "--lr", "${learning_rate}", "--fc=${fc_layers}", "--bn", "${batch_norm}", "--opt", "${optimizer}",
            "--epochs", "${budget}", "${trial}", "${seed}", "${device}", "--ckpt", "${checkpoint-dir}", "--request", "${request}"];

        var expanded = CommandTemplate.Expand(command, Space, Of(2), Values);

        Assert.Equal(
            ["python3", "train.py", "--lr", "0.001", "--fc=2", "--bn", "true", "--opt", "sgd", "--epochs", "9", "trial-3-b9", "12345", "cuda:1", "--ckpt", "/c/trial-3-b9", "--request", "/c/trial-3-b9.request.json"],
            expanded);
    }

    [Fact]
    public void An_inactive_parameter_drops_its_argument_and_the_option_before_it()
    {
        string[] command = ["train", "--units-3", "${units_3}", "--tail"];
        string[] joined = ["train", "--units-3=${units_3}", "--tail"];

        Assert.Equal(["train", "--tail"], CommandTemplate.Expand(command, Space, Of(2), Values));
        Assert.Equal(["train", "--tail"], CommandTemplate.Expand(joined, Space, Of(2), Values));
        Assert.Equal(["train", "--units-3", "17", "--tail"], CommandTemplate.Expand(command, Space, Of(3, 17), Values));
    }

    [Fact]
    public void An_option_that_has_a_placeholder_of_its_own_stays()
    {
        // "--lr=${learning_rate}" is a complete argument, not the option of the dropped one.
        string[] command = ["train", "--lr=${learning_rate}", "${units_3}"];

        Assert.Equal(["train", "--lr=0.001"], CommandTemplate.Expand(command, Space, Of(1), Values));
    }

    [Fact]
    public void A_trial_without_a_parent_drops_the_parent_directory_and_its_option()
    {
        string[] command = ["train", "--resume-from", "${parent-checkpoint-dir}"];

        Assert.Equal(["train"], CommandTemplate.Expand(command, Space, Of(1), Values));
        Assert.Equal(["train", "--resume-from", "/c/trial-3-b3"], CommandTemplate.Expand(command, Space, Of(1), Values with { ParentCheckpointDirectory = "/c/trial-3-b3" }));
    }

    [Theory]
    [InlineData("${learning_rate}", null)]
    [InlineData("--x=${budget}", null)]
    [InlineData("${units_3}", null)]
    [InlineData("${learning-rate}", "learning-rate")]
    [InlineData("a${budget}b${epochs}", "epochs")]
    public void Unknown_placeholders_are_found(string argument, string? unknown) =>
        Assert.Equal(unknown, CommandTemplate.FirstUnknown(argument, Space));

    [Fact]
    public void Budgets_print_without_a_decimal_point_when_whole() =>
        Assert.Equal(["9", "2.5"], new[] { 9.0, 2.5 }.Select(CommandTemplate.FormatNumber));
}
