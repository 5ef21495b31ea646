using NasHpo.Core.Fidelity;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Samplers;
using NasHpo.Core.Pareto;
using NasHpo.Core.Tests.Optimizers;

namespace NasHpo.Core.Tests.Objectives;

public class ObjectiveScaleTests
{
    private static readonly Objective Error = new("val-error");
    private static readonly Objective LogParams = new("params", ObjectiveDirection.Minimize, ObjectiveCost.Cheap, ObjectiveScale.Log);
    private static readonly Objective LogThroughput = new("throughput", ObjectiveDirection.Maximize, ObjectiveCost.Expensive, ObjectiveScale.Log);

    [Fact]
    public void A_log_objective_is_minimised_as_log10_of_its_value_and_recorded_as_measured()
    {
        Assert.Equal(5.0, LogParams.ToMinimization(100_000), 12);
        Assert.Equal(100_000, LogParams.FromMinimization(5.0), 6);
        Assert.Equal(100_000, LogParams.ToRecorded(100_000));
        Assert.Equal(5.0, LogParams.RecordedToMinimization(100_000), 12);

        // Maximised: negated after the log, recorded negated but not logged.
        Assert.Equal(-3.0, LogThroughput.ToMinimization(1000), 12);
        Assert.Equal(1000, LogThroughput.FromMinimization(-3.0), 9);
        Assert.Equal(-1000, LogThroughput.ToRecorded(1000));
        Assert.Equal(1000, LogThroughput.FromRecorded(-1000));
        Assert.Equal(-3.0, LogThroughput.RecordedToMinimization(-1000), 12);
    }

    [Fact]
    public void A_linear_objective_keeps_the_old_minimisation_space()
    {
        var accuracy = new Objective("accuracy", ObjectiveDirection.Maximize);
        Assert.Equal(-0.9, accuracy.ToMinimization(0.9));
        Assert.Equal(-0.9, accuracy.ToRecorded(0.9));
        Assert.Equal(0.9, accuracy.FromMinimization(-0.9));
        Assert.Equal(0.25, Error.RecordedToMinimization(0.25));
        var space = new ObjectiveSpace([Error, accuracy]);
        Assert.True(space.IsLinear);
        Assert.Equal([0.25, -0.9], space.FromRecorded([0.25, -0.9]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    public void A_non_positive_value_of_a_log_objective_is_refused_with_the_reason(double value)
    {
        var reason = LogParams.Refusal(value);
        Assert.NotNull(reason);
        Assert.Contains("params", reason, StringComparison.Ordinal);
        Assert.Contains("log scale", reason, StringComparison.Ordinal);
        Assert.Null(Error.Refusal(value));
        Assert.True(double.IsNaN(LogParams.ToMinimization(value)));
    }

    [Fact]
    public void Non_finite_values_are_refused_on_any_scale()
    {
        Assert.NotNull(Error.Refusal(double.NaN));
        Assert.NotNull(LogParams.Refusal(double.PositiveInfinity));
        Assert.Null(LogParams.Refusal(12_800));
    }

    [Fact]
    public void The_hypervolume_of_recorded_points_is_taken_on_log10_values()
    {
        var space = new ObjectiveSpace([Error, LogParams]);
        double[][] recorded = [[0.1, 10_000], [0.3, 100]];
        var reference = space.FromRecorded([1.0, 100_000]);
        Assert.Equal([1.0, 5.0], reference);
        var points = recorded.Select(space.FromRecorded).ToArray();
        Assert.Equal([0.3, 2.0], points[1]);

        // On log10 values: (1 - 0.1) * (5 - 4) + (1 - 0.3) * (4 - 2) = 2.3. On raw counts the 100-parameter network
        // adds only (1 - 0.3) * (10 000 - 100) / 100 000 of the box, and the first network nearly all of it.
        Assert.Equal(2.3, Hypervolume.Compute(points, reference), 12);
        var linear = Hypervolume.Compute(recorded, [1.0, 100_000]) / 100_000;
        Assert.Equal((0.9 * 0.9) + (0.7 * 0.099), linear, 12);
    }

    /// <summary>
    /// Nine networks at the lowest rung, all non-dominated (validation error against parameter count); a third move
    /// up by hypervolume subset selection (paper 001's ranking). On raw counts everything below a few thousand parameters is squeezed
    /// against zero, so promotion keeps the 40 000-parameter network; on log10 counts it keeps the 150-parameter one.
    /// </summary>
    [Fact]
    public void Promotion_picks_differently_on_a_log_scale_than_on_a_linear_one()
    {
        double[] errors = [0.10, 0.12, 0.15, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70];
        double[] parameters = [90_000, 40_000, 20_000, 8_000, 3_000, 1_000, 400, 150, 60];

        long[] Promoted(ObjectiveSpace objectives)
        {
            var optimizer = RecordedResultsOptimizer.Wrap(
                new HyperbandOptimizer(ToyProblem.Space, RandomSampler.Instance, new HyperbandSettings { MinBudget = 1, MaxBudget = 9, Eta = 3, Ranking = PromotionRanking.NonDominatedSorting }, 1),
                objectives);
            var rung = Enumerable.Range(0, 9).Select(_ => optimizer.Ask()!).ToArray();
            Assert.All(rung, r => Assert.Equal(1.0, r.Id.Budget));
            foreach (var request in rung)
            {
                var i = (int)request.Id.ConfigurationId;
                optimizer.Tell(TrialResult.Completed(request.Id, [errors[i], parameters[i]]));
            }

            var promoted = Enumerable.Range(0, 3).Select(_ => optimizer.Ask()!).ToArray();
            Assert.All(promoted, r => Assert.Equal(3.0, r.Id.Budget));
            return promoted.Select(r => r.Id.ConfigurationId).Order().ToArray();
        }

        var linear = Promoted(new ObjectiveSpace([Error, LogParams with { Scale = ObjectiveScale.Linear }]));
        var log = Promoted(new ObjectiveSpace([Error, LogParams]));
        Assert.Equal([1L, 3, 5], linear);
        Assert.Equal([3L, 5, 7], log);
    }

    [Fact]
    public void A_linear_study_gets_its_optimizer_unwrapped_and_failures_pass_through()
    {
        var inner = new HyperbandOptimizer(ToyProblem.Space, RandomSampler.Instance, new HyperbandSettings { MinBudget = 9, MaxBudget = 9, Eta = 3 }, 1);
        Assert.Same(inner, RecordedResultsOptimizer.Wrap(inner, new ObjectiveSpace([Error])));
        var wrapped = RecordedResultsOptimizer.Wrap(inner, new ObjectiveSpace([Error, LogParams]));
        var request = wrapped.Ask()!;
        wrapped.Tell(TrialResult.Failure(request.Id, "diverged"));
        Assert.Equal(inner.OpenBracketIds, wrapped.OpenBracketIds);
        Assert.NotEqual(request.Id, wrapped.Ask()!.Id);
    }
}
