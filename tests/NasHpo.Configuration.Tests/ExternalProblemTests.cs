namespace NasHpo.Configuration.Tests;

/// <summary><c>problem.type = external</c>: the study declares what the program's code evaluates.</summary>
public sealed class ExternalProblemTests
{
    private const string Study = """
        study {
          problem { type = external }
          objectives = [{ name = loss }, { name = size, cost = cheap }]
          reference-point = [1, 100]
          search-space { x { type = float, lower = 0, upper = 1 } }
          optimizer { type = random }
          stop { max-evaluations = 3 }
        }

        """;

    [Fact]
    public void An_external_study_reads_its_own_objectives_and_space()
    {
        var definition = StudyDefinitionReader.FromHocon(Study);

        Assert.True(definition.Problem.IsExternal);
        Assert.False(definition.Problem.IsSynthetic);
        Assert.Equal(["loss", "size"], definition.Objectives.Select(o => o.Name));
        Assert.Equal(["x"], definition.Space.Parameters.Select(p => p.Name));
    }

    [Theory]
    [InlineData("objectives", "study.objectives", "an external study names the objectives its code returns")]
    [InlineData("search-space", "study.search-space", "the parameters the study's code is given")]
    public void An_external_study_without_objectives_or_space_is_refused(string left, string path, string mention)
    {
        var text = string.Join('\n', Study.Split('\n').Where(line => !line.TrimStart().StartsWith(left, StringComparison.Ordinal)));

        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(text));

        Assert.Equal(path, error.Path);
        Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_external_problem_takes_no_other_keys()
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(Study + "study.problem.dimensions = 3"));

        Assert.Equal("study.problem.dimensions", error.Path);
    }
}
