using NasHpo.Core.Objectives;

namespace NasHpo.Configuration.Tests;

/// <summary>The fashion-mnist problem's model, budget unit and latency objective, as the reader takes them.</summary>
public sealed class TrainingProblemReaderTests
{
    // A training study the reader accepts; each case below merges one line into it (a later value wins).
    private const string Valid = """
        study {
          problem { type = fashion-mnist }
          search-space { learning_rate { type = float, lower = 1e-3, upper = 1e-1, log = true } }
          optimizer { type = hyperband, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 10 }
        }

        """;

    private static void Rejects(string hocon, string path, params string[] mentions)
    {
        var error = Assert.Throws<ConfigurationException>(() => StudyDefinitionReader.FromHocon(hocon));
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Path);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Defaults_are_the_convnet_trained_for_epochs()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid);

        Assert.Equal(DatasetDefinition.ConvNet, definition.Problem.Dataset!.Model);
        Assert.Equal(OptimizerDefinition.Epochs, definition.Optimizer.BudgetUnit);
    }

    [Fact]
    public void The_residual_model_and_seconds_budgets_are_read_and_kept_in_the_text()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.problem.model = residual\nstudy.optimizer.budget-unit = seconds\n");

        Assert.Equal(DatasetDefinition.Residual, definition.Problem.Dataset!.Model);
        Assert.Equal(OptimizerDefinition.Seconds, definition.Optimizer.BudgetUnit);
        var resumed = StudyDefinitionReader.FromHocon(definition.Hocon);
        Assert.Equal(definition.Problem, resumed.Problem);
        Assert.Equal(definition.Optimizer, resumed.Optimizer);
    }

    [Fact]
    public void Latency_is_a_training_objective_with_a_default_reference_of_a_second()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + """
            study.objectives = [ { name = val-error }, { name = latency-ms, direction = minimize, cost = cheap } ]
            """);

        Assert.Equal(["val-error", "latency-ms"], definition.Objectives.Select(o => o.Name));
        Assert.Equal(ObjectiveCost.Cheap, definition.Objectives[1].Cost);
        Assert.Equal([1.0, 1000.0], definition.ReferencePoint);
    }

    [Fact]
    public void Threads_per_device_default_to_sharing_the_cores_and_can_be_set()
    {
        Assert.Equal(0, StudyDefinitionReader.FromHocon(Valid).Problem.Dataset!.ThreadsPerDevice);
        Assert.Equal(3, StudyDefinitionReader.FromHocon(Valid + "study.problem.threads-per-device = 3\n").Problem.Dataset!.ThreadsPerDevice);
        Rejects(Valid + "study.problem.threads-per-device = -1\n", "study.problem.threads-per-device", "-1");
    }

    [Fact]
    public void An_unknown_model_is_refused_with_its_path() =>
        Rejects(Valid + "study.problem.model = transformer\n", "study.problem.model", "transformer", "convnet, residual");

    [Fact]
    public void An_unknown_budget_unit_is_refused_with_its_path() =>
        Rejects(Valid + "study.optimizer.budget-unit = minutes\n", "study.optimizer.budget-unit", "minutes", "epochs, seconds");

    [Fact]
    public void Seconds_budgets_are_refused_for_a_synthetic_problem() =>
        Rejects(
            "study { problem { type = zdt1, dimensions = 3 }\n optimizer { type = hyperband, min-budget = 1, max-budget = 9, budget-unit = seconds }\n stop { max-evaluations = 10 } }",
            "study.optimizer.budget-unit",
            "zdt1");

    [Fact]
    public void An_objective_the_training_problem_does_not_measure_is_refused() =>
        Rejects(Valid + "study.objectives = [ { name = latency }, { name = params } ]\n", "study.objectives[0].name", "latency-ms");

    [Fact]
    public void The_shipped_residual_study_loads()
    {
        var definition = StudyDefinitionReader.Load(Path.Combine(AppContext.BaseDirectory, "studies", "fashion-mnist-residual.conf"), []);

        Assert.Equal(DatasetDefinition.Residual, definition.Problem.Dataset!.Model);
        Assert.Equal(["val-error", "params"], definition.Objectives.Select(o => o.Name));
        Assert.Equal(17, definition.Space.Dimension);
        Assert.Equal(ObjectiveScale.Log, definition.Objectives[1].Scale);
    }

    [Fact]
    public void The_main_job_optimises_log10_of_the_parameter_count_with_paper_001s_reference()
    {
        var definition = StudyDefinitionReader.Load(Path.Combine(AppContext.BaseDirectory, "studies", "fashion-mnist.conf"), []);
        Assert.Equal([ObjectiveScale.Linear, ObjectiveScale.Log], definition.Objectives.Select(o => o.Scale));
        Assert.Equal([1.0, 1e8], definition.ReferencePoint);
        Assert.Equal([1.0, 8.0], definition.ObjectiveSpace.FromRecorded(definition.ReferencePoint));
    }
}
