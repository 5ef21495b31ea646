namespace NasHpo.Configuration.Tests.BadInput;

/// <summary>
/// Bad inputs that once escaped as internal errors (another exception type, a hang, a stack overflow) or were read
/// silently wrong (a number past 32 bits wrapped into a small one): each is now one line that names the HOCON path
/// (or the text's line and column) and the limit.
/// </summary>
public sealed class BadStudyRegressionTests
{
    private const string Valid = BadStudyCorpus.Valid;

    private static ConfigurationException Refused(string hocon, string path, params string[] mentions)
    {
        var error = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(hocon), hocon);
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
        }

        return error;
    }

    [Theory]
    [InlineData("study = 5", "study", "expected an object", "\"5\"")]
    [InlineData("study = null", "study", "expected an object", "null")]
    [InlineData("study = [1, 2]", "study", "expected an object", "a list")]
    [InlineData(Valid + "study.optimizer = random", "study.optimizer", "expected an object", "\"random\"")]
    [InlineData(Valid + "study.stop = 5", "study.stop", "expected an object", "\"5\"")]
    [InlineData("study { problem = [zdt1] }", "study.problem", "expected an object", "a list")]
    public void A_section_written_as_a_value_is_named(string hocon, string path, string expected, string got) =>
        Refused(hocon, path, expected, got);

    [Theory]
    [InlineData(Valid + "study.devices = [{ a = 1 }]", "study.devices[0]", "expected a single value")]
    [InlineData(Valid + "study.devices = [cpu, [cpu]]", "study.devices[1]", "expected a single value")]
    [InlineData(Valid + "study.devices { a = 1 }", "study.devices", "got an object")]
    [InlineData(Valid + "study.name = { a = 1 }", "study.name", "expected a single value")]
    [InlineData(Valid + "study.name = null", "study.name", "is null")]
    [InlineData(Valid + "study.reference-point = [{ a = 1 }, 1]", "study.reference-point[0]", "expected a single value")]
    [InlineData(Valid + "study.reference-point = [[1], [2]]", "study.reference-point[0]", "expected a single value")]
    public void A_structure_where_a_value_belongs_is_named(string hocon, string path, string detail) => Refused(hocon, path, detail);

    [Theory]
    [InlineData("study.devices = 2147483648", "study.devices", "above the maximum 4096")]
    [InlineData("study.devices = 4294967298", "study.devices", "above the maximum 4096")]
    [InlineData("study.devices = 1000000000", "study.devices", "above the maximum 4096")]
    [InlineData("study.problem.dimensions = 4294967299", "study.problem.dimensions", "above the maximum 10000")]
    [InlineData("study.problem.objectives = 4294967298", "study.problem.objectives", "above the maximum 16")]
    [InlineData("study.stop.max-evaluations = 4294967298", "study.stop.max-evaluations", "above the maximum 2147483647")]
    public void A_number_past_its_limit_is_refused_not_wrapped(string line, string path, string detail) => Refused(Valid + line, path, detail);

    [Theory]
    [InlineData("image-size = 4294967312", "study.problem.image-size", "4294967312 is larger than the 28x28")]
    [InlineData("train-subset = 4294967297", "study.problem.train-subset", "above the maximum 2147483647")]
    [InlineData("threads-per-device = 4294967297", "study.problem.threads-per-device", "above the maximum 4096")]
    public void A_training_number_past_its_limit_is_refused_not_wrapped(string setting, string path, string detail) =>
        Refused($"study {{\n  problem {{ type = fashion-mnist, {setting} }}\n  search-space {{ lr {{ type = float, lower = 0.001, upper = 0.1 }} }}\n  optimizer {{ type = random }}\n  stop {{ max-evaluations = 1 }}\n}}", path, detail);

    [Theory]
    [InlineData("x0 { type = float, lower = -5, upper = 1 }", "study.search-space.x0", "[-5, 1] is outside [0, 1]")]
    [InlineData("x0 { type = float, lower = 0, upper = 5 }", "study.search-space.x0", "[0, 5] is outside [0, 1]")]
    [InlineData("x0 { type = int, lower = 0, upper = 100 }", "study.search-space.x0", "[0, 100] is outside [0, 1]")]
    [InlineData("x0 { type = categorical, choices = [a, b] }", "study.search-space.x0.choices[0]", "\"a\" is not a number in [0, 1]")]
    [InlineData("x0 { type = ordinal, choices = [0, 2] }", "study.search-space.x0.choices[1]", "\"2\" is not a number in [0, 1]")]
    [InlineData("x0 { type = float, lower = 0, upper = 1, when = \"x1 > 0.5\" }", "study.search-space.x0.when", "cannot be conditional")]
    [InlineData("lr { type = float, lower = 0, upper = 1 }", "study.search-space.x0", "missing", "x0..x2")]
    public void A_synthetic_problem_refuses_a_space_it_cannot_evaluate(string x0, string path, params string[] mentions) =>
        Refused(Valid + $"study.search-space {{\n{x0}\nx1 {{ type = float, lower = 0, upper = 1 }}\nx2 {{ type = float, lower = 0, upper = 1 }}\n}}", path, mentions);

    [Fact]
    public void A_synthetic_problem_takes_numbers_inside_its_range_beside_other_parameters()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.search-space {\nx0 { type = ordinal, choices = [0, 0.5] }\nx1 { type = int, lower = 0, upper = 1 }\nx2 { type = float, lower = 0.2, upper = 0.8 }\nextra { type = bool }\n}");

        Assert.Equal(4, definition.Space.Parameters.Count);
    }

    [Theory]
    [InlineData("include \"other.conf\"\n" + Valid, "study:1:1")]
    [InlineData("include file(\"/etc/hostname\")\n" + Valid, "study:1:1")]
    [InlineData(Valid + "study {\n  include required(\"x.conf\")\n}", "study:7:3")]
    public void An_include_is_refused(string hocon, string path) => Refused(hocon, path, "include is not supported");

    [Theory]
    [InlineData(Valid + "a = ${b}\nb = ${a}\nstudy.name = ${a}", "cyclic substitution")]
    [InlineData(Valid + "a = ${b}\nb = ${a}", "cyclic substitution")]
    [InlineData(Valid + "study.name = ${study.name}", "cyclic substitution ${study.name}")]
    [InlineData(Valid + "study.stop.max-evaluations = ${study}", "cyclic substitution ${study}")]
    public void A_cyclic_substitution_is_refused(string hocon, string detail)
    {
        var error = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(hocon), hocon);

        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(error.Path);
    }

    [Fact]
    public void An_unresolved_substitution_is_one_line_naming_it()
    {
        var error = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(Valid + "study.name = ${nowhere}"), "${nowhere}");

        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("study.devices = [cpu, ${?nowhere}]", "study:6:23", "\"${?nowhere}\" is not a substitution this reader supports")]
    [InlineData("study.name = ${?nowhere}", "study:6:14", "\"${?nowhere}\" is not a substitution this reader supports")]
    [InlineData("study.name = ${}", "study:6:14", "\"${}\" is not a substitution")]
    [InlineData("study.devices = [cpu, $x]", "study:6:23", "\"$x\" is not a substitution")]
    public void A_substitution_other_than_a_path_is_refused(string line, string path, string detail) => Refused(Valid + line, path, detail);

    [Theory]
    [InlineData("study.devices = [cuda:0]", "study:6:22", "':' inside the list [ ... ] opened at line 6, column 17")]
    [InlineData("study.devices = [cpu, a = 1]", "study:6:25", "'=' inside the list")]
    [InlineData("study.devices = [cpu?]", "study:6:21", "'?' inside the list")]
    [InlineData("study.objectives = [ { name = a, {} = cheap } ]", "study:6:34", "'{' where a key belongs")]
    [InlineData("study.objectives = [ { name = a, cost = cheap scale = log } ]", "study:6:53", "'=' inside a value")]
    [InlineData("study.problem { type }", "study:6:22", "'}' after a key")]
    public void Text_that_sent_the_parser_into_an_endless_loop_is_refused_where_it_goes_wrong(string line, string path, string detail) =>
        Refused(Valid + line, path, detail);

    [Fact]
    public void A_new_line_between_a_key_and_its_brace_is_still_read()
    {
        var definition = StudyDefinitionReader.FromHocon("study\n{\n  problem\n  {\n    type = zdt1\n  }\n  optimizer { type = random }\n  stop { max-evaluations = 1 }\n}\n");

        Assert.Equal("zdt1", definition.Problem.Type);
    }

    [Theory]
    [InlineData("study.devices = ", '[', ']', "'[' nests deeper than 64 levels")]
    [InlineData("study.name = ", '{', '}', "'{' nests deeper than 64 levels")]
    public void Nesting_100_000_deep_is_refused_before_the_parser_recurses(string prefix, char open, char close, string detail)
    {
        const int depth = 100_000;
        var inner = open == '{' ? string.Concat(Enumerable.Repeat("{ a = ", depth)) + "1" : new string(open, depth);
        var error = Refused(Valid + prefix + inner + new string(close, depth), "study:6:" + (prefix.Length + (open == '{' ? 6 * 64 : 64) + 1), detail);

        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void A_key_of_100_000_dotted_parts_is_refused() =>
        Refused(Valid + "study.name" + string.Concat(Enumerable.Repeat(".a", 100_000)) + " = 1", "study:6:" + (10 + (2 * 62) + 1), "more than 64 dotted parts");

    [Fact]
    public void A_substitution_chain_longer_than_the_depth_limit_is_refused()
    {
        var chain = string.Concat(Enumerable.Range(0, 300).Select(i => $"s{i} = ${{s{i + 1}}}\n")) + "s300 = x\nstudy.name = ${s0}";

        var error = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(Valid + chain), chain);

        Assert.Contains("nested deeper than 256 levels", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_runs_across_lines_is_named_in_one_line()
    {
        var error = GuardedRead.Refusal(() => StudyDefinitionReader.FromHocon(Valid + "study {\n  devices  2\n  problem = 1\n}"), "key across lines");

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("\\n", error.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b.conf")]
    public void Load_names_a_path_it_cannot_read_in_one_line(string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.Load(path, []));

        Assert.Contains("cannot read the study file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    // What belongs in OptimizerReader (its schedule limits and its own 32-bit reads): the tests state the behaviour
    // wanted and wait there.
    [Theory]
    [InlineData("study.optimizer { type = hyperband, eta = 1.0000001, min-budget = 1, max-budget = 27 }")]
    [InlineData("study.optimizer { type = mo-bohb, eta = 1.0000001, min-budget = 1, max-budget = 9 }")]
    public void An_eta_barely_above_one_is_refused_with_the_bracket_limit(string line) => Refused(Valid + line, "study.optimizer.eta", "brackets");

    [Theory]
    [InlineData("study.optimizer { type = hyperband, min-budget = 1e-300, max-budget = 1e300 }")]
    [InlineData("study.optimizer { type = mo-bohb, min-budget = 1e-300, max-budget = 1 }")]
    public void Budgets_300_orders_of_magnitude_apart_are_refused_with_the_bracket_limit(string line) =>
        Refused(Valid + line, "study.optimizer.min-budget", "brackets");

    [Theory]
    [InlineData("study.optimizer { type = mo-bohb, min-budget = 1, max-budget = 9, max-open-brackets = 4294967298 }", "study.optimizer.max-open-brackets")]
    [InlineData("study.optimizer { type = mo-bohb, min-budget = 1, max-budget = 9, candidates = 4294967298 }", "study.optimizer.candidates")]
    [InlineData("study.optimizer { type = mo-bohb, min-budget = 1, max-budget = 9, min-points-in-model = 4294967298 }", "study.optimizer.min-points-in-model")]
    public void An_optimizer_count_past_32_bits_is_refused_not_wrapped(string line, string path) => Refused(Valid + line, path, "above the maximum");
}
