using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration.Tests;

/// <summary>
/// A value means the same wherever a study writes it: the study's keys (read from Config sections) and the search
/// space's (read as HOCON values) share one set of parsing rules; and each optimizer takes its own keys only.
/// </summary>
public sealed class OneReaderTests
{
    private const string Study = """
        study {
          problem { type = zdt1, dimensions = 3 }
          optimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 10 }
        }

        """;

    private static SearchSpace Space(string parameters) =>
        SearchSpaceReader.Read(HoconText.Parse("study { search-space {\n" + parameters + "\n} }"), "study.search-space");

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("YES", true)]
    [InlineData("On", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("No", false)]
    [InlineData("off", false)]
    public void A_boolean_is_read_alike_in_the_study_and_in_the_search_space(string text, bool expected)
    {
        var study = StudyDefinitionReader.FromHocon(Study + $"study.optimizer.continue-from-checkpoint = {text}");
        var space = Space($"lr {{ type = float, lower = 0.001, upper = 1, log = {text} }}");

        Assert.Equal(expected, study.Optimizer.ContinueFromCheckpoint);
        Assert.Equal(expected, ((FloatParameter)space.Parameters[0]).Log);
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("3.0", 3)]
    [InlineData("3e0", 3)]
    public void An_integral_number_is_an_integer_in_the_study_and_in_the_search_space(string text, long expected)
    {
        var study = StudyDefinitionReader.FromHocon(Study + $"study.stop.max-evaluations = {text}");
        var space = Space($"n {{ type = int, lower = 1, upper = {text} }}");

        Assert.Equal(expected, (long?)study.Stop.MaxEvaluations);
        Assert.Equal(expected, ((IntegerParameter)space.Parameters[0]).Upper);
    }

    [Fact]
    public void A_fraction_is_no_integer_in_either()
    {
        var study = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(Study + "study.stop.max-evaluations = 2.5"));
        var space = Assert.Throws<ConfigurationException>(() => Space("n { type = int, lower = 1, upper = 2.5 }"));

        Assert.Equal("study.stop.max-evaluations", study.Path);
        Assert.Contains("is not an integer", study.Detail, StringComparison.Ordinal);
        Assert.Equal("study.search-space.n.upper", space.Path);
        Assert.Contains("is not an integer", space.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bohb", "ensemble-size = 3", "study.optimizer.ensemble-size")]
    [InlineData("mo-bohb", "population-size = 10", "study.optimizer.population-size")]
    [InlineData("random", "random-fraction = 0.5", "study.optimizer.random-fraction")]
    [InlineData("hyperband", "candidates = 10", "study.optimizer.candidates")]
    [InlineData("sh-emoa", "epsilon = 0.1", "study.optimizer.epsilon")]
    [InlineData("mo-bananas", "good-fraction = 0.2", "study.optimizer.good-fraction")]
    [InlineData("bulk-and-cut", "parents = 2", "study.optimizer.parents")]
    public void A_key_of_another_optimizer_is_refused_and_names_the_method(string type, string setting, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(Study + $"study.optimizer {{ type = {type}, {setting} }}"));

        Assert.Equal(path, error.Path);
        Assert.Contains($"unknown key for {type}", error.Detail, StringComparison.Ordinal);
        Assert.Contains("expected one of: type, eta", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bohb", "candidates = 12, good-fraction = 0.2")]
    [InlineData("mo-bananas", "candidates = 12, ensemble-size = 3")]
    [InlineData("sh-emoa", "population-size = 10")]
    [InlineData("random", "eta = 3, min-budget = 1, max-budget = 9, continue-from-checkpoint = false")]
    public void Each_optimizer_takes_its_own_keys_and_the_common_ones(string type, string settings) =>
        Assert.Equal(type, StudyDefinitionReader.FromHocon(Study + $"study.optimizer {{ type = {type}, {settings} }}").Optimizer.Type);

    [Fact]
    public void No_method_claims_a_common_key_as_its_own() =>
        Assert.All(OptimizerRegistry.BuiltIn.Methods, method => Assert.Empty(method.Keys.Intersect(OptimizerReader.CommonKeys)));
}
