using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Optimizers.Models;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Pareto;
using NasHpo.Core.Randomness;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

public class MoBananasTests
{
    private static readonly HyperbandSettings Budgets = new() { MinBudget = 1, MaxBudget = 9 };

    [Fact]
    public void The_predictor_learns_a_smooth_function_it_has_not_seen_all_of()
    {
        var random = new DeterministicRandom(7);
        double[] Point() => [random.NextDouble(), random.NextDouble(), random.NextDouble()];
        double[] Truth(double[] x) => [x[0] + (2 * x[1]), x[0] * x[2]];
        var train = Enumerable.Range(0, 60).Select(_ => Point()).ToArray();
        var test = Enumerable.Range(0, 100).Select(_ => Point()).ToArray();

        var network = NeuralPredictor.Train(train, train.Select(Truth).ToArray(), new NeuralPredictorSettings { Epochs = 100 }, new DeterministicRandom(3));

        for (var k = 0; k < 2; k++)
        {
            var truth = test.Select(x => Truth(x)[k]).ToArray();
            var predicted = test.Select(x => network.Predict(x)[k]).ToArray();
            Assert.True(Correlation(truth, predicted) > 0.9, $"output {k}: correlation {Correlation(truth, predicted):F3} on held-out points");
        }
    }

    [Fact]
    public void Training_is_a_function_of_the_data_and_the_generator()
    {
        double[][] inputs = [[0.1, 0.2], [0.5, 0.9], [0.7, 0.3], [0.9, 0.8]];
        double[][] targets = [[1, 2], [3, 1], [2, 2], [0, 5]];
        var a = NeuralPredictor.Train(inputs, targets, new NeuralPredictorSettings(), new DeterministicRandom(5));
        var b = NeuralPredictor.Train(inputs, targets, new NeuralPredictorSettings(), new DeterministicRandom(5));
        var c = NeuralPredictor.Train(inputs, targets, new NeuralPredictorSettings(), new DeterministicRandom(6));
        Assert.Equal(a.Predict([0.4, 0.4]), b.Predict([0.4, 0.4]));
        Assert.NotEqual(a.Predict([0.4, 0.4]), c.Predict([0.4, 0.4]));
    }

    [Fact]
    public void Inactive_parameters_become_a_defined_input_with_an_activity_flag()
    {
        var space = SearchSpace.Create(
        [
            new IntegerParameter("layers", 1, 2),
            new FloatParameter("width_2", 0, 1) { Conditions = [new Condition("layers", ConditionOperator.GreaterOrEqual, "2")] },
        ]);
        var oneLayer = space.Encode(new Configuration(new Dictionary<string, ParameterValue> { ["layers"] = ParameterValue.Of(1) }));

        var input = MoBananasSampler.PredictorInput(space, oneLayer);

        Assert.Equal([0.25, 0.5, 0], input);
        Assert.All(input, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Parents_are_whole_fronts_then_the_least_crowded()
    {
        double[][] points = [[0, 4], [1, 3], [2, 2.9], [3, 1], [4, 0], [5, 5]];
        // The first front is the five points on the staircase; of them the two ends are infinitely crowded, then
        // crowding 1.225 for (3, 1), 1.0 for (2, 2.9) and 0.775 for (1, 3).
        Assert.Equal([0, 4, 3], MoBananasSampler.BestByCrowdedSorting(points, 3));
        Assert.Equal([0, 4, 3, 2, 1, 5], MoBananasSampler.BestByCrowdedSorting(points, 10));
    }

    [Fact]
    public void The_two_objective_improvement_equals_the_general_hypervolume_difference()
    {
        var random = new DeterministicRandom(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var points = Enumerable.Range(0, 1 + random.Next(12)).Select(_ => new[] { random.NextDouble(), random.NextDouble() }).ToArray();
            var scorer = new MoBananasSampler.FrontScorer(points, [1.1, 1.2]);
            var front = NonDominatedSorting.FirstFront(points).Select(i => points[i]).ToArray();
            double[] candidate = [(random.NextDouble() * 1.3) - 0.1, (random.NextDouble() * 1.3) - 0.1];
            if (front.Any(f => f[0] <= candidate[0] && f[1] <= candidate[1]))
            {
                continue;
            }

            var expected = Hypervolume.Compute([.. front, candidate], [1.1, 1.2]) - Hypervolume.Compute(front, [1.1, 1.2]);
            Assert.Equal(expected, scorer.Improvement2D(candidate), 12);
        }
    }

    [Fact]
    public void Proposals_are_reproducible_and_the_ensemble_is_retrained_only_when_its_observations_change()
    {
        var sampler = new MoBananasSampler(new MoBananasSettings { RandomFraction = 0, MinPointsInModel = 5 }, 3);
        var run = SequentialRunner.Run(new HyperbandOptimizer(ToyProblem.Space, sampler, Budgets, 3), ToyProblem.Evaluate, 40);
        var again = SequentialRunner.Run(
            new HyperbandOptimizer(ToyProblem.Space, new MoBananasSampler(new MoBananasSettings { RandomFraction = 0, MinPointsInModel = 5 }, 3), Budgets, 3),
            ToyProblem.Evaluate,
            40);
        Assert.Equal(run.Select(t => t.Request), again.Select(t => t.Request));
        Assert.InRange(sampler.Trainings, 1, 39);

        // Two proposals from the same observations: one training, and a cold sampler proposes the same.
        var history = new ObservationHistory();
        foreach (var trial in run.Where(t => t.Request.Id.Budget == 1))
        {
            history.Add(new Observation(trial.Request.Configuration, ToyProblem.Space.Encode(trial.Request.Configuration), 1, [.. trial.Result.Objectives!], false));
        }

        var warm = new MoBananasSampler(new MoBananasSettings { RandomFraction = 0, MinPointsInModel = 5 }, 3);
        var first = warm.Sample(new SamplingContext(ToyProblem.Space, history, 100, 1, DeterministicRandom.Derive(3, 100, "sample")));
        var second = warm.Sample(new SamplingContext(ToyProblem.Space, history, 101, 1, DeterministicRandom.Derive(3, 101, "sample")));
        Assert.Equal(1, warm.Trainings);
        var cold = new MoBananasSampler(new MoBananasSettings { RandomFraction = 0, MinPointsInModel = 5 }, 3)
            .Sample(new SamplingContext(ToyProblem.Space, history, 101, 1, DeterministicRandom.Derive(3, 101, "sample")));
        Assert.Equal(second, cold);
        Assert.NotEqual(first, second);

        history.Add(new Observation(first, ToyProblem.Space.Encode(first), 1, [0.5, 0.5], false));
        warm.Sample(new SamplingContext(ToyProblem.Space, history, 102, 1, DeterministicRandom.Derive(3, 102, "sample")));
        Assert.Equal(2, warm.Trainings);
    }

    [Fact]
    public void The_factory_builds_it_as_a_Hyperband_optimizer()
    {
        Assert.Contains("mo-bananas", OptimizerRegistry.BuiltIn.Names);
        var optimizer = Assert.IsType<HyperbandOptimizer>(Methods.Create("mo-bananas", ToyProblem.Space, Budgets, 1));
        Assert.Equal(1.0, optimizer.Ask()!.Id.Budget);
        Assert.Throws<ArgumentException>(() => new MoBananasSampler(new MoBananasSettings { EnsembleSize = 0 }, 1));
    }

    private static double Correlation(double[] a, double[] b)
    {
        var (ma, mb) = (a.Average(), b.Average());
        var covariance = a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb));
        return covariance / Math.Sqrt(a.Sum(x => (x - ma) * (x - ma)) * b.Sum(x => (x - mb) * (x - mb)));
    }
}
