using NasHpo.Core.Optimizers;

namespace NasHpo.Configuration.Tests.Optimizers;

/// <summary>A method added from outside is read from a study file and run like a built-in one.</summary>
public sealed class ToyWalkMethodTests
{
    private const string Study = """
        study {
          name = toy
          seed = 3
          problem { type = zdt1, dimensions = 3 }
          stop { max-evaluations = 12 }
        }

        """;

    [Fact]
    public void A_registered_method_is_read_with_its_own_keys_and_runs()
    {
        var definition = StudyDefinitionReader.FromHocon(Study + "study.optimizer { type = toy-walk, max-budget = 9, step = 0.25 }", OptimizerContractTests.Registry);

        Assert.Equal("toy-walk", definition.Optimizer.Type);
        Assert.Equal(new ToyWalkSettings(0.25), definition.Optimizer.Settings);
        var optimizer = definition.Optimizer.Method.Create(new(definition.Space, new HyperbandSettings { MinBudget = 9, MaxBudget = 9 }, 3) { Settings = definition.Optimizer.Settings });
        var trials = SequentialRunner.Run(optimizer, r => TrialResult.Completed(r.Id, [r.Configuration.GetDouble("x0"), 1]), 12);
        Assert.Equal(12, trials.Count);
        Assert.All(trials, t => Assert.Equal(9.0, t.Request.Id.Budget));
    }

    [Theory]
    [InlineData("step = 2", "study.optimizer.step", "outside")]
    [InlineData("population-size = 10", "study.optimizer.population-size", "unknown key for toy-walk")]
    public void Its_keys_are_checked_and_other_methods_keys_refused(string line, string path, string mention)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            StudyDefinitionReader.FromHocon(Study + $"study.optimizer {{ type = toy-walk, max-budget = 9, {line} }}", OptimizerContractTests.Registry));

        Assert.Equal(path, error.Path);
        Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_in_registry_does_not_know_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(Study + "study.optimizer { type = toy-walk }"));

        Assert.Equal("study.optimizer.type", error.Path);
        Assert.Contains("unknown optimizer \"toy-walk\"", error.Detail, StringComparison.Ordinal);
    }
}
