using NasHpo.Core.Problems;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Problems;

/// <summary>
/// The only problem tests that need the real search-space code (Configuration, SearchSpace.Create); every other
/// problem test works on plain vectors.
/// </summary>
public class ProblemSearchSpaceTests
{
    [Fact]
    public void Space_has_one_unit_float_per_variable()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(12));
        var parameters = problem.Space.Parameters;
        Assert.Equal(12, parameters.Count);
        Assert.Equal(
            Enumerable.Range(0, 12).Select(SyntheticProblem.VariableName).Order(StringComparer.Ordinal),
            parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(parameters, p =>
        {
            var parameter = Assert.IsType<FloatParameter>(p);
            Assert.Equal((0.0, 1.0, false), (parameter.Lower, parameter.Upper, parameter.Log));
            Assert.Empty(parameter.Conditions);
        });
    }

    [Fact]
    public void Configuration_evaluation_reads_x_by_name_and_uses_the_fingerprint_as_noise_key()
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(5, 3));
        var x = new[] { 0.1, 0.7, 0.5, 0.2, 0.9 };
        var configuration = new Configuration(
            x.Select((v, i) => KeyValuePair.Create(SyntheticProblem.VariableName(i), ParameterValue.Of(v))));
        Assert.Equal(problem.Evaluate(x, 2, 8, configuration.Fingerprint), problem.Evaluate(configuration, 2, 8));
        Assert.Equal(problem.Evaluate(x), problem.Evaluate(configuration, 8, 8));
    }

    [Fact]
    public void Sampled_configurations_evaluate()
    {
        var problem = SyntheticProblem.Create("zdt3", new SyntheticProblemOptions(4));
        var configuration = problem.Space.Sample(new Random(1));
        Assert.Equal(2, problem.Evaluate(configuration, 1, 1).Length);
    }
}
