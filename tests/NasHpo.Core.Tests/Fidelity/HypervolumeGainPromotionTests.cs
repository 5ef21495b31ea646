using NasHpo.Core.Fidelity;
using NasHpo.Core.Pareto;

namespace NasHpo.Core.Tests.Fidelity;

/// <summary>
/// <see cref="Promotion.SelectByHypervolumeGain"/>: a rung's results judged by what their maximum-budget outcome
/// should add to the front the study has already found, not by the rung's own non-dominated fronts.
/// </summary>
public class HypervolumeGainPromotionTests
{
    private static readonly double[] Reference = [1.0, 5.0];

    [Fact]
    public void A_tiny_network_on_its_rungs_front_is_not_promoted_when_the_studys_front_already_covers_its_corner()
    {
        // Validation error against log10 of the parameter count. The study already has a 100-parameter network at
        // 0.30 error; the rung's smallest network (125 parameters, 0.40 at the low budget) is on the rung's front,
        // so paper 001's ranking promotes it, but even after the typical improvement of 0.05 it adds nothing.
        double[][] front = [[0.30, 2.0], [0.15, 3.5]];
        double[][] rung = [[0.40, 2.1], [0.25, 3.0], [0.28, 3.2], [0.50, 4.5]];
        double[] improvement = [0.05, 0.0];

        Assert.Contains(0, Promotion.SelectBest(rung, 2));
        Assert.Equal([1], Promotion.SelectByHypervolumeGain(rung, 1, front, Reference, improvement));
    }

    [Fact]
    public void The_expected_improvement_to_the_maximum_budget_changes_the_choice()
    {
        // As measured, the larger network (0.20) is dominated by the front's (0.10, 3.0) and the small one adds a
        // sliver. Once both are expected to gain 0.15 by the maximum budget, the larger one would extend the front.
        double[][] front = [[0.10, 3.0]];
        double[][] rung = [[0.90, 2.9], [0.20, 3.5]];

        Assert.Equal([0], Promotion.SelectByHypervolumeGain(rung, 1, front, Reference, [0.0, 0.0]));
        Assert.Equal([1], Promotion.SelectByHypervolumeGain(rung, 1, front, Reference, [0.15, 0.0]));
    }

    [Fact]
    public void With_no_front_yet_each_pick_is_the_point_that_adds_most_to_the_points_already_picked()
    {
        double[][] rung = [[0.1, 4.5], [0.2, 3.9], [0.35, 3.1], [0.5, 2.6], [0.7, 2.2], [0.9, 1.2], [0.3, 4.2], [0.6, 3.3], [0.95, 4.9]];
        var picked = new List<int>();
        for (var k = 1; k < rung.Length; k++)
        {
            // Forward greedy by brute force: the next point is the one whose addition gives the largest hypervolume.
            var next = Enumerable.Range(0, rung.Length).Except(picked)
                .OrderByDescending(i => Hypervolume.Compute([.. picked.Select(j => rung[j]), rung[i]], Reference))
                .First();
            picked.Add(next);
            Assert.Equal(picked.Order().ToArray(), Promotion.SelectByHypervolumeGain(rung, k, [], Reference, [0.0, 0.0]));
        }
    }

    [Fact]
    public void Points_that_would_add_nothing_go_by_their_rank_in_the_rung_then_their_first_objective()
    {
        // Every point is dominated by the front: no gain anywhere. Index 2 is alone in the rung's first front;
        // 0 and 3 share the second, and 0 has the smaller error.
        double[][] front = [[0.01, 0.5]];
        double[][] rung = [[0.4, 3.0], [0.6, 4.0], [0.3, 2.0], [0.5, 2.5]];

        Assert.Equal([2], Promotion.SelectByHypervolumeGain(rung, 1, front, Reference, [0.0, 0.0]));
        Assert.Equal([0, 2], Promotion.SelectByHypervolumeGain(rung, 2, front, Reference, [0.0, 0.0]));
        Assert.Equal([0, 2, 3], Promotion.SelectByHypervolumeGain(rung, 3, front, Reference, [0.0, 0.0]));
    }

    [Fact]
    public void Edge_cases_return_everything_or_nothing_and_refuse_mismatched_lengths()
    {
        double[][] rung = [[0.3, 2.0], [0.2, 3.0]];
        Assert.Empty(Promotion.SelectByHypervolumeGain(rung, 0, [], Reference, [0, 0]));
        Assert.Empty(Promotion.SelectByHypervolumeGain([], 2, [], Reference, [0, 0]));
        Assert.Equal([0, 1], Promotion.SelectByHypervolumeGain(rung, 5, [], Reference, [0, 0]));
        Assert.Throws<ArgumentException>(() => Promotion.SelectByHypervolumeGain(rung, 1, [], Reference, [0]));
    }
}
