using NasHpo.Core.Objectives;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Configuration.Tests;

public sealed class StudyDefinitionReaderTests : IDisposable
{
    // The smallest study the reader accepts; each bad case below is this text plus one line that HOCON merges in
    // (a later value wins), so every test changes exactly one thing.
    private const string Valid = """
        study {
          problem { type = zdt1, dimensions = 3 }
          optimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 10 }
        }

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("nashpo-study-reader-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The contract of every rejection: one line, "path: detail", naming the path and the bad value.</summary>
    private static ConfigurationException Rejects(Action read, string path, params string[] mentions)
    {
        var error = Assert.Throws<ConfigurationException>(read);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Path);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Detail, StringComparison.Ordinal);
        }

        return error;
    }

    private static ConfigurationException Rejects(string hocon, string path, params string[] mentions) =>
        Rejects(() => StudyDefinitionReader.FromHocon(hocon), path, mentions);

    private static string ShippedStudy(string name) => Path.Combine(AppContext.BaseDirectory, "studies", name);

    private string WriteStudy(string fileName, string content)
    {
        var path = Path.Combine(_directory, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void A_gpu_listed_twice_gets_two_slots_that_name_the_same_gpu()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.devices = [\"cuda:0\", cpu, \"cuda:0\", \"cuda:1\", \"cuda:0\"]\n");

        Assert.Equal(["cuda-0", "cpu-0", "cuda-0.2", "cuda-1", "cuda-0.3"], definition.DeviceNames);
    }

    [Fact]
    public void The_minimal_study_is_valid() => Assert.Equal("zdt1", StudyDefinitionReader.FromHocon(Valid).Problem.Type);

    [Theory]
    [InlineData("other { a = 1 }", "study")]
    [InlineData("study { optimizer { type = random, max-budget = 1 }\n stop { max-evaluations = 5 } }", "study.problem")]
    [InlineData("study { problem { type = zdt1 }\n stop { max-evaluations = 5 } }", "study.optimizer")]
    [InlineData("study { problem { type = zdt1 }\n optimizer { type = random, max-budget = 1 } }", "study.stop")]
    [InlineData("study { problem { dimensions = 3 }\n optimizer { type = random }\n stop { max-evaluations = 5 } }", "study.problem.type")]
    [InlineData("study { problem { type = zdt1 }\n optimizer { eta = 3 }\n stop { max-evaluations = 5 } }", "study.optimizer.type")]
    public void A_missing_required_key_is_named(string hocon, string path) => Rejects(hocon, path, "missing");

    [Theory]
    [InlineData("study.colour = red", "study.colour")]
    [InlineData("study.problem.size = 3", "study.problem.size")]
    [InlineData("study.optimizer.speed = 2", "study.optimizer.speed")]
    [InlineData("study.optimizer.sampler { kind = tpe }", "study.optimizer.sampler")]
    [InlineData("study.stop.max-trials = 3", "study.stop.max-trials")]
    public void An_unknown_key_is_named_with_the_keys_that_are_known(string line, string path) =>
        Rejects(Valid + line, path, "unknown key", "expected one of");

    [Fact]
    public void An_unknown_problem_lists_the_known_ones() =>
        Rejects(Valid + "study.problem.type = zdt9", "study.problem.type", "\"zdt9\"", "zdt1", "dtlz2");

    [Fact]
    public void An_unknown_optimizer_lists_the_known_ones() =>
        Rejects(Valid + "study.optimizer.type = smac", "study.optimizer.type", "\"smac\"", "random, hyperband, bohb, mo-bohb");

    [Theory]
    [InlineData("study.optimizer.eta = 1", "study.optimizer.eta", "1 must be greater than 1")]
    [InlineData("study.optimizer.eta = 0.5", "study.optimizer.eta", "0.5 must be greater than 1")]
    [InlineData("study.optimizer.min-budget = 0", "study.optimizer.min-budget", "0 must be positive")]
    [InlineData("study.optimizer.min-budget = -2", "study.optimizer.min-budget", "-2 must be positive")]
    [InlineData("study.optimizer { min-budget = 9, max-budget = 3 }", "study.optimizer.max-budget", "3 is below min-budget 9")]
    [InlineData("study.optimizer.random-fraction = 1.5", "study.optimizer.random-fraction", "1.5 is outside [0, 1]")]
    [InlineData("study.optimizer.good-fraction = 0", "study.optimizer.good-fraction", "0 is outside")]
    [InlineData("study.optimizer.candidates = 0", "study.optimizer.candidates", "0 is below the minimum 1")]
    [InlineData("study.optimizer.max-open-brackets = 0", "study.optimizer.max-open-brackets", "0 is below the minimum 1")]
    [InlineData("study.problem.dimensions = 0", "study.problem.dimensions", "0 is below the minimum 1")]
    [InlineData("study.problem.noise-scale = -1", "study.problem.noise-scale", "-1 is outside")]
    [InlineData("study.stop.max-evaluations = 0", "study.stop.max-evaluations", "0 is below the minimum 1")]
    [InlineData("study.stop.max-budget-spent = 0", "study.stop.max-budget-spent", "0 must be positive")]
    [InlineData("study.stop.max-budget-spent = -5", "study.stop.max-budget-spent", "-5 must be positive")]
    [InlineData("study.devices = 0", "study.devices", "0 is below the minimum 1")]
    [InlineData("study.devices = -3", "study.devices", "-3 is below the minimum 1")]
    public void A_value_out_of_range_is_named_with_the_value(string line, string path, string mention) =>
        Rejects(Valid + line, path, mention);

    [Theory]
    [InlineData("study.optimizer.phase-shares = [0.5, 0.4, 0.2]", "study.optimizer.phase-shares", "[0.5, 0.4, 0.2]", "sum to 1")]
    [InlineData("study.optimizer.phase-shares = [0.5, 0.5]", "study.optimizer.phase-shares", "[0.5, 0.5]", "three shares")]
    [InlineData("study.optimizer.phase-shares = [1.2, -0.2, 0]", "study.optimizer.phase-shares", "[1.2, -0.2, 0]")]
    [InlineData("study.optimizer.epsilon = 1.5", "study.optimizer.epsilon", "1.5 is outside [0, 1]")]
    [InlineData("study.optimizer.hyperparameters = [x0, momentum]", "study.optimizer.hyperparameters[1]", "\"momentum\"")]
    [InlineData("study.optimizer.hyperparameters = x0", "study.optimizer.hyperparameters", "list")]
    [InlineData("study.optimizer.distinct-configurations = sometimes", "study.optimizer.distinct-configurations", "\"sometimes\" is not true or false")]
    public void Bulk_and_cut_settings_are_validated(string line, string path, string mention, string? second = null) =>
        Rejects(Valid + "study.optimizer.type = bulk-and-cut\n" + line, path, second is null ? [mention] : [mention, second]);

    [Fact]
    public void Bulk_and_cut_reads_its_settings_with_the_papers_defaults()
    {
        var defaults = StudyDefinitionReader.FromHocon(Valid + "study.optimizer.type = bulk-and-cut").Optimizer.SettingsOf<NasHpo.Core.Optimizers.Methods.BulkAndCutOptions>()!;
        Assert.Equal([0.35, 0.40, 0.25], defaults.PhaseShares);
        Assert.Equal(0.15, defaults.Epsilon);
        Assert.Null(defaults.Hyperparameters);
        Assert.True(defaults.DistinctConfigurations);

        var set = StudyDefinitionReader.FromHocon(Valid + "study.optimizer { type = bulk-and-cut, phase-shares = [0.2, 0.5, 0.3], epsilon = 0.3, hyperparameters = [x2], distinct-configurations = false }").Optimizer.SettingsOf<NasHpo.Core.Optimizers.Methods.BulkAndCutOptions>()!;
        Assert.Equal([0.2, 0.5, 0.3], set.PhaseShares);
        Assert.Equal(0.3, set.Epsilon);
        Assert.Equal(["x2"], set.Hyperparameters);
        Assert.False(set.DistinctConfigurations);
        Assert.Null(StudyDefinitionReader.FromHocon(Valid).Optimizer.SettingsOf<NasHpo.Core.Optimizers.Methods.BulkAndCutOptions>());
    }

    [Fact]
    public void Ms_ehvi_reads_its_initial_design_size_and_refuses_an_empty_one()
    {
        Assert.Null(StudyDefinitionReader.FromHocon(Valid + "study.optimizer.type = ms-ehvi").Optimizer.SettingsOf<NasHpo.Core.Optimizers.Methods.MsEhviOptions>()!.InitialConfigurations);
        var set = StudyDefinitionReader.FromHocon(Valid + "study.optimizer { type = ms-ehvi, initial-configurations = 4 }").Optimizer.SettingsOf<NasHpo.Core.Optimizers.Methods.MsEhviOptions>()!;
        Assert.Equal(4, set.InitialConfigurations);
        Rejects(Valid + "study.optimizer { type = ms-ehvi, initial-configurations = 0 }", "study.optimizer.initial-configurations", "0 is below the minimum 1");
        Rejects(Valid + "study.optimizer { type = random, initial-configurations = 4 }", "study.optimizer.initial-configurations", "random");
    }

    [Theory]
    [InlineData("study.optimizer.eta = fast", "study.optimizer.eta", "\"fast\" is not a finite number")]
    [InlineData("study.optimizer.max-budget = NaN", "study.optimizer.max-budget", "\"NaN\" is not a finite number")]
    [InlineData("study.optimizer.min-budget = 1e400", "study.optimizer.min-budget", "\"1e400\" is not a finite number")]
    [InlineData("study.problem.dimensions = ten", "study.problem.dimensions", "\"ten\" is not an integer")]
    [InlineData("study.problem.dimensions = 2.5", "study.problem.dimensions", "\"2.5\" is not an integer")]
    [InlineData("study.seed = abc", "study.seed", "\"abc\" is not an integer")]
    [InlineData("study.devices = two", "study.devices", "\"two\" is not an integer")]
    [InlineData("study.stop.max-evaluations = lots", "study.stop.max-evaluations", "\"lots\" is not an integer")]
    [InlineData("study.stop.max-budget-spent = plenty", "study.stop.max-budget-spent", "\"plenty\" is not a finite number")]
    public void A_value_that_is_not_a_number_is_named_with_the_value(string line, string path, string mention) =>
        Rejects(Valid + line, path, mention);

    [Theory]
    [InlineData("study.problem.delay = soon", "study.problem.delay", "\"soon\" is not a duration")]
    [InlineData("study.stop.max-wall-clock = forever", "study.stop.max-wall-clock", "\"forever\" is not a duration")]
    [InlineData("study.problem.delay = -5ms", "study.problem.delay", "\"-5ms\" is not a duration")]
    [InlineData("study.stop.max-wall-clock = 0s", "study.stop.max-wall-clock", "must be positive")]
    public void A_bad_duration_is_named_with_the_value(string line, string path, string mention) =>
        Rejects(Valid + line, path, mention);

    [Theory]
    [InlineData("hyperband")]
    [InlineData("bohb")]
    [InlineData("mo-bohb")]
    public void Promotion_is_synchronous_unless_asynchronous_is_asked_for(string type)
    {
        var study = Valid + $"study.optimizer.type = {type}\n";
        Assert.Equal(Core.Optimizers.PromotionMode.Synchronous, StudyDefinitionReader.FromHocon(study).Optimizer.Promotion);
        Assert.Equal(Core.Optimizers.PromotionMode.Synchronous, StudyDefinitionReader.FromHocon(study + "study.optimizer.promotion = synchronous").Optimizer.Promotion);
        Assert.Equal(Core.Optimizers.PromotionMode.Asynchronous, StudyDefinitionReader.FromHocon(study + "study.optimizer.promotion = asynchronous").Optimizer.Promotion);
    }

    [Theory]
    [InlineData("study.optimizer.promotion = eager", "\"eager\"", "expected one of: synchronous, asynchronous")]
    [InlineData("study.optimizer.promotion = ASHA", "\"ASHA\"", "expected one of: synchronous, asynchronous")]
    [InlineData("study.optimizer { type = sh-emoa, promotion = asynchronous }", "\"asynchronous\" does not apply to sh-emoa", "hyperband, bohb, mo-bohb")]
    [InlineData("study.optimizer { type = ms-ehvi, promotion = asynchronous }", "\"asynchronous\" does not apply to ms-ehvi", "hyperband, bohb, mo-bohb")]
    [InlineData("study.optimizer { type = random, promotion = asynchronous }", "\"asynchronous\" does not apply to random", "hyperband, bohb, mo-bohb")]
    public void A_bad_promotion_mode_is_named_with_the_value(string line, string first, string second) =>
        Rejects(Valid + line, "study.optimizer.promotion", first, second);

    [Fact]
    public void Promotion_ranks_by_hypervolume_gain_unless_paper_001s_ranking_is_asked_for()
    {
        var study = Valid + "study.optimizer.type = mo-bohb\n";
        Assert.Equal(Core.Fidelity.PromotionRanking.HypervolumeGain, StudyDefinitionReader.FromHocon(study).Optimizer.Ranking);
        Assert.Equal(Core.Fidelity.PromotionRanking.NonDominatedSorting, StudyDefinitionReader.FromHocon(study + "study.optimizer.promotion-ranking = non-dominated-sorting").Optimizer.Ranking);
        Assert.Equal(Core.Fidelity.PromotionRanking.HypervolumeGain, StudyDefinitionReader.FromHocon(study + "study.optimizer.promotion-ranking = hypervolume-gain").Optimizer.Ranking);
        Rejects(study + "study.optimizer.promotion-ranking = crowding", "study.optimizer.promotion-ranking", "\"crowding\"", "expected one of: non-dominated-sorting, hypervolume-gain");
    }

    [Fact]
    public void A_budget_limit_is_a_stop_criterion_of_its_own()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid.Replace("stop { max-evaluations = 10 }", "stop { max-budget-spent = 250.5 }", StringComparison.Ordinal));
        Assert.Equal(new StopCriteria(null, null, 250.5), definition.Stop);
    }

    [Fact]
    public void A_stop_section_without_a_criterion_is_rejected() =>
        Rejects(Valid.Replace("stop { max-evaluations = 10 }", "stop { }", StringComparison.Ordinal), "study.stop");

    [Theory]
    [InlineData("study.reference-point = [1.1]", "study.reference-point", "1 values for 2 objectives")]
    [InlineData("study.reference-point = [1.1, 11, 3]", "study.reference-point", "3 values for 2 objectives")]
    [InlineData("study.reference-point = [1.1, far]", "study.reference-point[1]", "\"far\" is not a finite number")]
    [InlineData("study.reference-point { a = 1 }", "study.reference-point", "expected a list of numbers, got an object")]
    [InlineData("study.reference-point = 11", "study.reference-point", "expected a list of numbers, got \"11\"")]
    public void A_bad_reference_point_is_named(string line, string path, string mention) =>
        Rejects(Valid + line, path, mention);

    [Fact]
    public void Objectives_must_match_the_problem() =>
        Rejects(Valid + "study.objectives = [ { name = a }, { name = b }, { name = c } ]", "study.objectives", "3 objectives", "zdt1 has 2");

    [Fact]
    public void A_problem_the_generator_refuses_is_named() =>
        Rejects(Valid + "study.problem { type = dtlz2, dimensions = 2, objectives = 3 }", "study.problem");

    [Fact]
    public void Errors_from_the_search_space_keep_their_full_path() =>
        Rejects(Valid + "study.search-space { lr { type = float, lower = 1, upper = 0.1 } }", "study.search-space.lr.lower");

    [Fact]
    public void An_unclosed_brace_is_a_syntax_error_with_its_location() =>
        Rejects(Valid + "study.problem {\n  type = zdt1\n", "study:6:15", "'{' is never closed");

    [Fact]
    public void An_unclosed_list_is_a_syntax_error_and_does_not_hang() =>
        Rejects(Valid + "study.reference-point = [1.1, 11\n", "study:6:25", "'[' is never closed");

    [Fact]
    public void A_syntax_error_in_a_file_names_the_file_and_the_line()
    {
        var path = WriteStudy("broken.conf", "study {\n  problem { type = zdt1\n  stop { max-evaluations = 3 }\n");
        Rejects(() => StudyDefinitionReader.Load(path, []), "broken.conf:2:11", "never closed");
    }

    [Fact]
    public void A_missing_file_is_a_configuration_error_naming_it()
    {
        var path = Path.Combine(_directory, "absent.conf");
        Rejects(() => StudyDefinitionReader.Load(path, []), path, "cannot read the study file");
    }

    [Fact]
    public void Overrides_take_relative_and_study_prefixed_keys()
    {
        var path = WriteStudy("small.conf", Valid);
        var definition = StudyDefinitionReader.Load(path, ["stop.max-evaluations=42", "study.optimizer.eta = 2", "problem.dimensions=5", "seed=9"]);
        Assert.Equal(42, definition.Stop.MaxEvaluations);
        Assert.Equal(2, definition.Optimizer.Eta);
        Assert.Equal(5, definition.Problem.Dimensions);
        Assert.Equal(9, definition.Seed);
        Assert.Equal(5, definition.Space.Dimension);
    }

    [Fact]
    public void An_override_can_replace_the_problem_and_the_optimizer()
    {
        var path = WriteStudy("small.conf", Valid);
        var definition = StudyDefinitionReader.Load(path, ["problem.type=dtlz2", "problem.dimensions=6", "optimizer.type=random"]);
        Assert.Equal("dtlz2", definition.Problem.Type);
        Assert.Equal(3, definition.Objectives.Count);
        Assert.Equal("random", definition.Optimizer.Type);
        Assert.Null(definition.Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.TreeParzenSettings>());
    }

    [Theory]
    [InlineData("optimizer.eta=1", "study.optimizer.eta", "1 must be greater than 1")]
    [InlineData("study.stop.max-evaluations=none", "study.stop.max-evaluations", "\"none\"")]
    [InlineData("colour=red", "study.colour", "unknown key")]
    [InlineData("problem.type=zdt9", "study.problem.type", "\"zdt9\"")]
    public void A_bad_override_is_rejected_like_the_same_key_in_the_file(string assignment, string path, string mention)
    {
        var file = WriteStudy("small.conf", Valid);
        Rejects(() => StudyDefinitionReader.Load(file, [assignment]), path, mention);
    }

    [Theory]
    [InlineData("eta")]
    [InlineData("=3")]
    [InlineData("")]
    public void An_override_without_a_key_and_an_equals_sign_is_rejected(string assignment)
    {
        var file = WriteStudy("small.conf", Valid);
        Rejects(() => StudyDefinitionReader.Load(file, [assignment]), "--set", "is not KEY=VALUE");
    }

    [Fact]
    public void An_override_with_malformed_hocon_is_a_syntax_error_that_names_the_override()
    {
        var file = WriteStudy("small.conf", Valid);
        Rejects(() => StudyDefinitionReader.Load(file, ["reference-point=[1.1, 11"]), "--set", "\"reference-point=[1.1, 11\"", "'[' is never closed");
    }

    [Fact]
    public void Defaults_come_from_the_problem()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid);
        Assert.Equal(3, definition.Optimizer.Eta);
        Assert.Equal(1, definition.Devices);
        Assert.Equal(0, definition.Seed);
        Assert.Equal("study", definition.Name);
        Assert.Null(definition.Stop.MaxWallClock);
        Assert.Equal(TimeSpan.Zero, definition.Problem.Delay);
        Assert.Equal(2, definition.Problem.Objectives);
        Assert.Equal(int.MaxValue, definition.Optimizer.MaxOpenBrackets);
        Assert.NotNull(definition.Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.TreeParzenSettings>());
        Assert.Equal([new Objective("f1"), new Objective("f2")], definition.Objectives);
        Assert.Equal([1.1, 11], definition.ReferencePoint);
        Assert.Equal(["x0", "x1", "x2"], definition.Space.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void SH_EMOA_settings_are_read_and_default_to_the_method_defaults()
    {
        var defaults = StudyDefinitionReader.FromHocon(Valid + "study.optimizer.type = sh-emoa");
        Assert.Equal(new NasHpo.Core.Optimizers.ShEmoaSettings(), defaults.Optimizer.SettingsOf<NasHpo.Core.Optimizers.ShEmoaSettings>());
        Assert.Null(defaults.Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.MoBananasSettings>());

        var set = StudyDefinitionReader.FromHocon(Valid + """
            study.optimizer {
              type = sh-emoa
              population-size = 20
              first-step-evaluations = 80
              tournament-size = 2
              mutated-parameters = 3
              mutation-stddev = 0.3
              mutation-probability = 0.75
            }
            """);
        Assert.Equal(
            new NasHpo.Core.Optimizers.ShEmoaSettings { PopulationSize = 20, FirstStepEvaluations = 80, TournamentSize = 2, MutatedParameters = 3, MutationStdDev = 0.3, MutationProbability = 0.75 },
            set.Optimizer.SettingsOf<NasHpo.Core.Optimizers.ShEmoaSettings>());

        // A population above the default first step raises that default instead of failing.
        Assert.Equal(60, StudyDefinitionReader.FromHocon(Valid + "study.optimizer { type = sh-emoa, population-size = 60 }").Optimizer.SettingsOf<NasHpo.Core.Optimizers.ShEmoaSettings>()!.FirstStepEvaluations);
    }

    [Fact]
    public void MO_BANANAS_settings_are_read_and_default_to_the_method_defaults()
    {
        var defaults = StudyDefinitionReader.FromHocon(Valid + "study.optimizer.type = mo-bananas");
        Assert.Equal(new NasHpo.Core.Optimizers.Samplers.MoBananasSettings(), defaults.Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.MoBananasSettings>());
        Assert.Null(defaults.Optimizer.SettingsOf<NasHpo.Core.Optimizers.ShEmoaSettings>());
        Assert.Null(defaults.Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.TreeParzenSettings>());

        var set = StudyDefinitionReader.FromHocon(Valid + """
            study.optimizer {
              type = mo-bananas
              ensemble-size = 3
              parents = 4
              candidates = 50
              mutation-stddev = 0.2
              random-fraction = 0.1
              min-points-in-model = 6
              predictor-layers = 3
              predictor-units = 16
              predictor-epochs = 40
              predictor-batch-size = 8
              predictor-learning-rate = 0.005
            }
            """).Optimizer.SettingsOf<NasHpo.Core.Optimizers.Samplers.MoBananasSettings>()!;
        Assert.Equal((3, 4, 50, 0.2, 0.1, 6), (set.EnsembleSize, set.Parents, set.Candidates, set.MutationStdDev, set.RandomFraction, set.MinPointsInModel));
        Assert.Equal(new NasHpo.Core.Optimizers.Models.NeuralPredictorSettings { HiddenLayers = 3, HiddenUnits = 16, Epochs = 40, BatchSize = 8, LearningRate = 0.005 }, set.Predictor);
    }

    [Theory]
    [InlineData("sh-emoa", "population-size = 0", "study.optimizer.population-size", "0 is below the minimum 1")]
    [InlineData("sh-emoa", "population-size = 20, first-step-evaluations = 10", "study.optimizer.first-step-evaluations", "10 is below population-size 20")]
    [InlineData("sh-emoa", "tournament-size = 0", "study.optimizer.tournament-size", "0 is below the minimum 1")]
    [InlineData("sh-emoa", "mutated-parameters = many", "study.optimizer.mutated-parameters", "\"many\" is not an integer")]
    [InlineData("sh-emoa", "mutation-stddev = 2", "study.optimizer.mutation-stddev", "2 is outside [0, 1]")]
    [InlineData("sh-emoa", "mutation-probability = -0.1", "study.optimizer.mutation-probability", "-0.1 is outside [0, 1]")]
    [InlineData("mo-bananas", "ensemble-size = 0", "study.optimizer.ensemble-size", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "ensemble-size = 1000", "study.optimizer.ensemble-size", "1000 is above the maximum 100")]
    [InlineData("mo-bananas", "parents = 0", "study.optimizer.parents", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "candidates = 0", "study.optimizer.candidates", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "mutation-stddev = 0", "study.optimizer.mutation-stddev", "0 is outside")]
    [InlineData("mo-bananas", "random-fraction = 2", "study.optimizer.random-fraction", "2 is outside [0, 1]")]
    [InlineData("mo-bananas", "min-points-in-model = 1", "study.optimizer.min-points-in-model", "1 is below the minimum 2")]
    [InlineData("mo-bananas", "predictor-layers = 0", "study.optimizer.predictor-layers", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "predictor-units = 0", "study.optimizer.predictor-units", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "predictor-epochs = 0", "study.optimizer.predictor-epochs", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "predictor-batch-size = 0", "study.optimizer.predictor-batch-size", "0 is below the minimum 1")]
    [InlineData("mo-bananas", "predictor-learning-rate = fast", "study.optimizer.predictor-learning-rate", "\"fast\" is not a finite number")]
    public void A_bad_method_setting_is_named_with_the_value(string type, string settings, string path, string mention) =>
        Rejects(Valid + $"study.optimizer {{ type = {type}, {settings} }}", path, mention);

    [Fact]
    public void The_minimum_budget_defaults_to_the_maximum()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid.Replace("min-budget = 1, ", string.Empty, StringComparison.Ordinal) + "study.optimizer.max-budget = 4");
        Assert.Equal(4, definition.Optimizer.MinBudget);
        Assert.Equal(4, definition.Optimizer.MaxBudget);
    }

    [Fact]
    public void A_reference_point_for_maximised_objectives_is_turned_into_minimisation()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.objectives = [ { name = f1 }, { name = f2, direction = maximize } ]");
        Assert.Equal(ObjectiveDirection.Maximize, definition.Objectives[1].Direction);
        Assert.Equal(2, definition.ReferencePoint.Count);
        Assert.Equal(1.1, definition.ReferencePoint[0]);
    }

    [Fact]
    public void A_log_scale_objective_keeps_its_reference_in_its_own_units()
    {
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.objectives = [ { name = f1 }, { name = f2, scale = log } ]\nstudy.reference-point = [1.1, 100]");
        Assert.Equal(ObjectiveScale.Log, definition.Objectives[1].Scale);
        Assert.Equal([1.1, 100.0], definition.ReferencePoint);
        Assert.Equal([1.1, 2.0], definition.ObjectiveSpace.FromRecorded(definition.ReferencePoint));

        // The problem's default reference (1.1, 11) is taken in the same units.
        var byDefault = StudyDefinitionReader.FromHocon(Valid + "study.objectives = [ { name = f1 }, { name = f2, scale = log } ]");
        Assert.Equal([1.1, 11.0], byDefault.ReferencePoint);
    }

    [Theory]
    [InlineData("[1.1, 0]", "study.reference-point[1]", "must be positive")]
    [InlineData("[1.1, -5]", "study.reference-point[1]", "not log10")]
    public void A_non_positive_reference_of_a_log_objective_is_refused(string reference, string path, string mention) =>
        Rejects(Valid + $"study.objectives = [ {{ name = f1 }}, {{ name = f2, scale = log }} ]\nstudy.reference-point = {reference}", path, "f2", mention);

    [Fact]
    public void A_maximised_log_objective_states_its_reference_negated()
    {
        Rejects(Valid + "study.objectives = [ { name = f1 }, { name = f2, direction = maximize, scale = log } ]\nstudy.reference-point = [1.1, 10]", "study.reference-point[1]", "negative");
        var definition = StudyDefinitionReader.FromHocon(Valid + "study.objectives = [ { name = f1 }, { name = f2, direction = maximize, scale = log } ]\nstudy.reference-point = [1.1, -10]");
        Assert.Equal([1.1, -1.0], definition.ObjectiveSpace.FromRecorded(definition.ReferencePoint));
    }

    [Fact]
    public void The_shipped_zdt1_study_loads()
    {
        var definition = StudyDefinitionReader.Load(ShippedStudy("zdt1.conf"), []);
        Assert.Equal("zdt1", definition.Name);
        Assert.Equal(1, definition.Seed);
        Assert.Equal(1, definition.Devices);
        Assert.Equal(new ProblemDefinition("zdt1", 10, 2, TimeSpan.Zero, 1.0), definition.Problem);
        Assert.Equal(("mo-bohb", 3.0, 1.0, 27.0), (definition.Optimizer.Type, definition.Optimizer.Eta, definition.Optimizer.MinBudget, definition.Optimizer.MaxBudget));
        Assert.Equal(new StopCriteria(300, null), definition.Stop);
        Assert.Equal([1.1, 11], definition.ReferencePoint);
        Assert.Equal(10, definition.Space.Dimension);
    }

    [Fact]
    public void The_shipped_dtlz2_study_loads()
    {
        var definition = StudyDefinitionReader.Load(ShippedStudy("dtlz2.conf"), []);
        Assert.Equal("dtlz2", definition.Name);
        Assert.Equal(7, definition.Seed);
        Assert.Equal(2, definition.Devices);
        Assert.Equal(new ProblemDefinition("dtlz2", 8, 3, TimeSpan.FromMilliseconds(5), 1.0), definition.Problem);
        Assert.Equal(("mo-bohb", 3.0, 1.0, 9.0), (definition.Optimizer.Type, definition.Optimizer.Eta, definition.Optimizer.MinBudget, definition.Optimizer.MaxBudget));
        Assert.Equal(new StopCriteria(400, TimeSpan.FromMinutes(5)), definition.Stop);
        Assert.Equal(3, definition.Objectives.Count);
        Assert.Equal(3, definition.ReferencePoint.Count);
        Assert.Equal(8, definition.Space.Dimension);
    }

    [Theory]
    [InlineData("zdt1.conf")]
    [InlineData("dtlz2.conf")]
    public void The_kept_text_reads_back_as_the_same_definition(string file)
    {
        // The journal keeps Hocon; a resumed study must run exactly what it started with, overrides and name included.
        var started = StudyDefinitionReader.Load(ShippedStudy(file), ["stop.max-evaluations=15", "seed=4"]);
        AssertSame(started, StudyDefinitionReader.FromHocon(started.Hocon));
    }

    [Fact]
    public void A_custom_space_and_objectives_read_back_the_same()
    {
        var path = WriteStudy("custom.conf", Valid + """
            study {
              name = custom
              objectives = [ { name = error }, { name = speed, direction = maximize, cost = cheap } ]
              reference-point = [1, -1]
              search-space {
                x0 { type = float, lower = 0, upper = 1 }
                x1 { type = ordinal, choices = [0, 0.5, 1] }
                x2 { type = int, lower = 0, upper = 1 }
                layers { type = int, lower = 1, upper = 3 }
                width { type = ordinal, choices = [16, 32, 64], when = "layers >= 2" }
                lr { type = float, lower = 1e-4, upper = 1, log = true }
              }
            }

            """);
        var started = StudyDefinitionReader.Load(path, []);
        Assert.Equal("custom", started.Name);
        Assert.Equal([1.0, -1.0], started.ReferencePoint);
        AssertSame(started, StudyDefinitionReader.FromHocon(started.Hocon));
    }

    private static void AssertSame(StudyDefinition expected, StudyDefinition actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Seed, actual.Seed);
        Assert.Equal(expected.Devices, actual.Devices);
        Assert.Equal(expected.Optimizer, actual.Optimizer);
        Assert.Equal(expected.Stop, actual.Stop);
        Assert.Equal(expected.Problem, actual.Problem);
        Assert.Equal(expected.Objectives, actual.Objectives);
        Assert.Equal(expected.ReferencePoint, actual.ReferencePoint);
        Assert.Equal(Describe(expected.Space), Describe(actual.Space));
        Assert.Equal(expected.Hocon, actual.Hocon);
    }

    // Parameters hold their choices and conditions in lists, which records compare by reference.
    private static string[] Describe(SearchSpace space) =>
        [.. space.Parameters.Select(p => $"{Plain(p)} when {string.Join(" & ", p.Conditions.Select(c => $"{c.Parent} {c.Operator} {string.Join('|', c.Values)}"))}")];

    private static string Plain(Parameter parameter) => parameter switch
    {
        CategoricalParameter c => $"categorical {c.Name} [{string.Join('|', c.Choices)}]",
        OrdinalParameter o => $"ordinal {o.Name} [{string.Join('|', o.Choices)}]",
        _ => (parameter with { Conditions = [] }).ToString(),
    };
}
