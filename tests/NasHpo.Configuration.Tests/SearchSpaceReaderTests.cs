using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration.Tests;

public sealed class SearchSpaceReaderTests
{
    private const string Example = """
        study {
          search-space {
            learning_rate { type = float, lower = 1e-5, upper = 1.0, log = true }
            conv_layers  { type = int, lower = 1, upper = 3 }
            filters_2    { type = int, lower = 16, upper = 1024, log = true, when = "conv_layers >= 2" }
            kernel_1     { type = categorical, choices = [3, 5, 7] }
            depth        { type = ordinal, choices = [small, medium, large] }
            batch_norm   { type = bool }
            optimizer    { type = categorical, choices = [adam, sgd] }
            momentum     { type = float, lower = 0, upper = 0.99, when = "optimizer == sgd" }
          }
        }
        """;

    private static SearchSpace Read(string text) => SearchSpaceReader.Read(HoconText.Parse(text), "study.search-space");

    private static ConfigurationException Fails(string parameters)
    {
        var text = "study { search-space {\n" + parameters + "\n} }";
        var error = Assert.Throws<ConfigurationException>(() => Read(text));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(error.Path + ": ", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static void AssertFails(string parameters, string path, params string[] fragments)
    {
        var error = Fails(parameters);
        Assert.Equal(path, error.Path);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reads_every_kind_of_parameter()
    {
        var space = Read(Example);
        Assert.Equal(8, space.Dimension);
        var lr = Assert.IsType<FloatParameter>(space["learning_rate"]);
        Assert.Equal((1e-5, 1.0, true), (lr.Lower, lr.Upper, lr.Log));
        var filters = Assert.IsType<IntegerParameter>(space["filters_2"]);
        Assert.Equal((16L, 1024L, true), (filters.Lower, filters.Upper, filters.Log));
        Assert.Equal(new Condition("conv_layers", ConditionOperator.GreaterOrEqual, "2").ToString(), Assert.Single(filters.Conditions).ToString());
        Assert.Equal(["3", "5", "7"], Assert.IsType<CategoricalParameter>(space["kernel_1"]).Choices);
        Assert.Equal(["small", "medium", "large"], Assert.IsType<OrdinalParameter>(space["depth"]).Choices);
        Assert.IsType<BooleanParameter>(space["batch_norm"]);
        Assert.False(Assert.IsType<IntegerParameter>(space["conv_layers"]).Log);
        var momentum = Assert.Single(space["momentum"].Conditions);
        Assert.Equal(("optimizer", ConditionOperator.Equal), (momentum.Parent, momentum.Operator));
        Assert.Equal(["sgd"], momentum.Values);
    }

    [Fact]
    public void Sampling_respects_the_conditions_read()
    {
        var space = Read(Example);
        var random = new Core.Randomness.DeterministicRandom(1);
        for (var i = 0; i < 500; i++)
        {
            var configuration = space.Sample(random);
            Assert.Equal(configuration.GetInt32("conv_layers") >= 2, configuration.Contains("filters_2"));
            Assert.Equal(configuration.GetString("optimizer") == "sgd", configuration.Contains("momentum"));
        }
    }

    [Theory]
    [InlineData("float")]
    [InlineData("real")]
    [InlineData("double")]
    [InlineData("FLOAT")]
    public void Float_synonyms(string type) =>
        Assert.IsType<FloatParameter>(Read($"study.search-space.x {{ type = {type}, lower = 0, upper = 1 }}")["x"]);

    [Theory]
    [InlineData("int")]
    [InlineData("integer")]
    public void Integer_synonyms(string type) =>
        Assert.IsType<IntegerParameter>(Read($"study.search-space.x {{ type = {type}, lower = 0, upper = 1 }}")["x"]);

    [Theory]
    [InlineData("categorical")]
    [InlineData("choice")]
    public void Categorical_synonyms(string type) =>
        Assert.IsType<CategoricalParameter>(Read($"study.search-space.x {{ type = {type}, choices = [a, b] }}")["x"]);

    [Theory]
    [InlineData("bool")]
    [InlineData("boolean")]
    public void Boolean_synonyms(string type) =>
        Assert.IsType<BooleanParameter>(Read($"study.search-space.x {{ type = {type} }}")["x"]);

    [Fact]
    public void When_accepts_a_list_and_every_operator()
    {
        var space = Read("""
            study.search-space {
              n     { type = int, lower = 0, upper = 9 }
              size  { type = ordinal, choices = [s, m, l] }
              opt   { type = categorical, choices = [adam, sgd, "rms prop"] }
              flag  { type = bool }
              a { type = bool, when = ["n > 1", "n < 8", "n <= 7", "n >= 2", "n != 5", "n == 3"] }
              b { type = bool, when = ["size > s", "opt in [sgd, \"rms prop\"]", "flag == true"] }
              c { type = bool, when = "opt in [adam]" }
            }
            """);
        var a = space["a"].Conditions.Select(c => c.Operator);
        Assert.Equal(
            [ConditionOperator.Greater, ConditionOperator.Less, ConditionOperator.LessOrEqual, ConditionOperator.GreaterOrEqual, ConditionOperator.NotEqual, ConditionOperator.Equal],
            a);
        Assert.Equal(["sgd", "rms prop"], space["b"].Conditions[1].Values);
        Assert.Equal(ConditionOperator.In, space["c"].Conditions[0].Operator);
    }

    [Fact]
    public void Missing_search_space() =>
        Assert.Equal("study.search-space: missing", Assert.Throws<ConfigurationException>(() => Read("study { }")).Message);

    [Fact]
    public void Empty_search_space() =>
        AssertFails(string.Empty, "study.search-space", "no parameters");

    [Fact]
    public void Parameter_not_an_object() =>
        AssertFails("lr = 3", "study.search-space.lr", "expected an object", "\"3\"");

    [Fact]
    public void Unknown_type() =>
        Assert.Equal(
            "study.search-space.lr.type: unknown type \"flaot\" (expected float, int, categorical, ordinal, bool)",
            Fails("lr { type = flaot, lower = 0, upper = 1 }").Message);

    [Fact]
    public void Missing_type() => AssertFails("lr { lower = 0, upper = 1 }", "study.search-space.lr.type", "missing");

    [Fact]
    public void Missing_upper() =>
        Assert.Equal("study.search-space.lr.upper: missing", Fails("lr { type = float, lower = 0 }").Message);

    [Fact]
    public void Missing_choices() => AssertFails("k { type = ordinal }", "study.search-space.k.choices", "missing");

    [Fact]
    public void Unknown_key_is_reported_before_anything_else() =>
        AssertFails("lr { type = float, lowr = 0, upper = 1 }", "study.search-space.lr.lowr", "unknown key", "lower, upper");

    [Fact]
    public void Key_of_another_type_is_unknown() =>
        AssertFails("flag { type = bool, choices = [a, b] }", "study.search-space.flag.choices", "unknown key");

    [Fact]
    public void Non_numeric_bound() =>
        AssertFails("lr { type = float, lower = abc, upper = 1 }", "study.search-space.lr.lower", "\"abc\" is not a number");

    [Fact]
    public void Non_integer_bound() =>
        AssertFails("n { type = int, lower = 1, upper = 2.5 }", "study.search-space.n.upper", "2.5 is not an integer");

    [Fact]
    public void List_where_a_number_belongs() =>
        AssertFails("n { type = int, lower = [1], upper = 2 }", "study.search-space.n.lower", "expected a single value, got a list");

    [Fact]
    public void Non_boolean_log() =>
        AssertFails("lr { type = float, lower = 1, upper = 2, log = maybe }", "study.search-space.lr.log", "\"maybe\" is not a boolean");

    [Fact]
    public void Zero_bound_on_log_scale() =>
        Assert.Equal(
            "study.search-space.filters_2.lower: 0 is not allowed on a log scale (bounds must be > 0)",
            Fails("filters_2 { type = int, lower = 0, upper = 1024, log = true }").Message);

    [Fact]
    public void Lower_above_upper() =>
        AssertFails("lr { type = float, lower = 2, upper = 1 }", "study.search-space.lr.lower", "2 is greater than the upper bound 1");

    [Fact]
    public void Non_finite_bound() =>
        AssertFails("lr { type = float, lower = 0, upper = Infinity }", "study.search-space.lr.upper", "Infinity", "not a finite number");

    [Theory]
    [InlineData("[]")]
    [InlineData("[ ]")]
    public void Empty_choices(string choices) =>
        AssertFails($"k {{ type = categorical, choices = {choices} }}", "study.search-space.k.choices", "empty");

    [Fact]
    public void Choices_not_a_list() =>
        AssertFails("k { type = categorical, choices = adam }", "study.search-space.k.choices", "expected a list", "\"adam\"");

    [Fact]
    public void Duplicate_choice() =>
        AssertFails("k { type = categorical, choices = [3, 5, 3] }", "study.search-space.k.choices", "\"3\" is listed twice");

    [Fact]
    public void Condition_on_unknown_parameter() =>
        AssertFails(
            "conv_layers { type = int, lower = 1, upper = 3 }\nfilters_2 { type = int, lower = 16, upper = 64, when = \"conv_layer >= 2\" }",
            "study.search-space.filters_2.when",
            "unknown parameter \"conv_layer\"");

    [Fact]
    public void Condition_with_impossible_choice() =>
        AssertFails(
            "opt { type = categorical, choices = [adam, sgd] }\nm { type = float, lower = 0, upper = 1, when = \"opt == sdg\" }",
            "study.search-space.m.when",
            "\"sdg\" is not a choice");

    [Fact]
    public void Condition_with_non_numeric_value() =>
        AssertFails(
            "n { type = int, lower = 1, upper = 3 }\nm { type = bool, when = \"n > two\" }",
            "study.search-space.m.when",
            "\"two\" is not a number");

    [Theory]
    [InlineData("\"n = 2\"")]
    [InlineData("\"n => 2\"")]
    [InlineData("\"n >=\"")]
    [InlineData("\"in [1]\"")]
    public void Unreadable_condition(string when) =>
        AssertFails($"n {{ type = int, lower = 1, upper = 3 }}\nm {{ type = bool, when = {when} }}", "study.search-space.m.when", "cannot read", "<parent> <op> <value>");

    [Fact]
    public void Unreadable_condition_in_a_list_names_its_index() =>
        AssertFails("n { type = int, lower = 1, upper = 3 }\nm { type = bool, when = [\"n >= 1\", \"n ~ 2\"] }", "study.search-space.m.when[1]", "\"n ~ 2\"");

    [Fact]
    public void Cycle_names_the_parameters()
    {
        var error = Fails("""
            a { type = bool, when = "c == true" }
            b { type = bool, when = "a == true" }
            c { type = bool, when = "b == true" }
            """);
        Assert.Equal("study.search-space.a.when", error.Path);
        Assert.Contains("a -> b -> c -> a", error.Message, StringComparison.Ordinal);
        Assert.IsType<SearchSpaceException>(error.InnerException);
    }

    [Fact]
    public void Parameter_names_with_bad_characters() =>
        AssertFails("\"a b\" { type = bool }", "study.search-space.a b", "\"a b\"");
}
