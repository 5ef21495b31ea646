using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Problems;

public class TrueFrontTests
{
    [Theory]
    [InlineData("zdt1")]
    [InlineData("zdt2")]
    [InlineData("zdt3")]
    public void Zdt_fronts_have_the_requested_size_and_are_mutually_non_dominated(string type)
    {
        var front = SyntheticProblem.Create(type, new SyntheticProblemOptions(4)).TrueFront(200);
        Assert.Equal(200, front.Count);
        AssertMutuallyNonDominated(front);
    }

    [Fact]
    public void Zdt1_front_is_one_minus_sqrt_f1_from_zero_to_one()
    {
        var front = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(4)).TrueFront(101);
        Assert.Equal(0.0, front[0][0]);
        Assert.Equal(1.0, front[^1][0]);
        Assert.All(front, p => Assert.Equal(1.0 - Math.Sqrt(p[0]), p[1], 1e-12));
    }

    [Fact]
    public void Zdt2_front_is_one_minus_f1_squared()
    {
        var front = SyntheticProblem.Create("zdt2", new SyntheticProblemOptions(4)).TrueFront(101);
        Assert.All(front, p => Assert.Equal(1.0 - (p[0] * p[0]), p[1], 1e-12));
    }

    [Fact]
    public void Zdt3_front_is_the_five_known_pieces()
    {
        var front = SyntheticProblem.Create("zdt3", new SyntheticProblemOptions(4)).TrueFront(2000);
        Assert.All(front, p => Assert.Equal(1.0 - Math.Sqrt(p[0]) - (p[0] * Math.Sin(10 * Math.PI * p[0])), p[1], 1e-12));

        // The published f1 ranges of the pieces (to the grid's resolution).
        double[][] pieces =
        [
            [0.0, 0.0830015349],
            [0.1822287280, 0.2577623634],
            [0.4093136748, 0.4538821041],
            [0.6183967944, 0.6525117038],
            [0.8233317983, 0.8518328654],
        ];
        Assert.All(front, p => Assert.Contains(pieces, piece => p[0] >= piece[0] - 1e-3 && p[0] <= piece[1] + 1e-3));
        Assert.All(pieces, piece => Assert.Contains(front, p => p[0] >= piece[0] && p[0] <= piece[1]));
        Assert.Equal(0.0, front[0][0]);
        Assert.Equal(0.8518328654, front[^1][0], 1e-4);
    }

    [Theory]
    [InlineData(2, 50)]
    [InlineData(3, 300)]
    [InlineData(4, 100)]
    public void Dtlz2_front_lies_on_the_positive_unit_sphere_and_repeats(int objectives, int count)
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(objectives + 4, objectives));
        var front = problem.TrueFront(count);
        Assert.Equal(count, front.Count);
        Assert.All(front, p =>
        {
            Assert.Equal(objectives, p.Length);
            Assert.Equal(1.0, p.Sum(v => v * v), 1e-12);
            Assert.All(p, v => Assert.True(v >= 0.0));
        });
        AssertMutuallyNonDominated(front);
        Assert.Equal(front, problem.TrueFront(count));
        for (var j = 0; j < objectives; j++)
        {
            Assert.Contains(front, p => Math.Abs(p[j] - 1.0) < 1e-12);
        }
    }

    [Theory]
    [InlineData("zdt1", 2, 1.1 * 11.0 - (1.0 / 3.0))]
    [InlineData("zdt2", 2, 1.1 * 11.0 - (2.0 / 3.0))]
    public void Zdt_true_hypervolume_is_the_box_minus_the_area_under_the_front(string type, int dimensions, double expected)
    {
        var problem = SyntheticProblem.Create(type, new SyntheticProblemOptions(dimensions));
        Assert.Equal(expected, problem.TrueHypervolume(problem.ReferencePoint), 1e-12);
        Assert.Equal(expected, RiemannHypervolume2D(problem.TrueFront(20_001), problem.ReferencePoint), 1e-3);
    }

    [Fact]
    public void Zdt3_true_hypervolume_matches_a_dense_front()
    {
        var problem = SyntheticProblem.Create("zdt3", new SyntheticProblemOptions(2));
        var reference = new[] { 1.0, 1.0 };
        var dense = RiemannHypervolume2D(problem.TrueFront(20_000), reference);
        var exact = problem.TrueHypervolume(reference);
        Assert.Equal(dense, exact, 1e-3);

        // f2 dips below 0 on the last pieces, so with reference (1, 1) the volume exceeds the unit box's area.
        Assert.InRange(exact, 1.0, 1.1);
        Assert.Throws<ArgumentException>(() => problem.TrueHypervolume([0.5, 1.0]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Dtlz2_true_hypervolume_is_the_box_minus_the_ball_orthant(int objectives)
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(objectives + 2, objectives));
        var reference = Enumerable.Repeat(2.0, objectives).ToArray();
        var orthant = objectives switch
        {
            2 => Math.PI / 4.0,
            3 => Math.PI / 6.0,
            _ => 8.0 * Math.PI * Math.PI / 15.0 / 32.0,
        };
        Assert.Equal(Math.Pow(2.0, objectives) - orthant, problem.TrueHypervolume(reference), 1e-12);
        Assert.Throws<ArgumentException>(() => problem.TrueHypervolume(Enumerable.Repeat(0.9, objectives).ToArray()));
        Assert.Throws<ArgumentException>(() => problem.TrueHypervolume([2.0]));
    }

    [Theory]
    [InlineData("zdt1")]
    [InlineData("zdt2")]
    [InlineData("zdt3")]
    public void Random_search_scores_clearly_above_zero_and_clearly_below_the_true_front(string type)
    {
        // The point of the default reference: early random configurations count, and there is a wide gap to close.
        var problem = SyntheticProblem.Create(type, new SyntheticProblemOptions(10));
        var random = new Random(5);
        var evaluated = Enumerable.Range(0, 100)
            .Select(_ => problem.Evaluate(Enumerable.Range(0, 10).Select(_ => random.NextDouble()).ToArray()))
            .ToArray();
        var reference = problem.ReferencePoint;
        var randomVolume = RiemannHypervolume2D(evaluated, reference);
        var trueVolume = problem.TrueHypervolume(reference);
        Assert.InRange(randomVolume, 0.3 * trueVolume, trueVolume - 1.0);
    }

    // Independent of the Pareto code on purpose: the problems are tested before and apart from it.
    private static double RiemannHypervolume2D(IReadOnlyList<double[]> front, double[] reference)
    {
        var sorted = front.OrderBy(p => p[0]).ToArray();
        var volume = 0.0;
        var best = reference[1];
        for (var i = 0; i < sorted.Length; i++)
        {
            best = Math.Min(best, sorted[i][1]);
            var next = i + 1 < sorted.Length ? sorted[i + 1][0] : reference[0];
            volume += (next - sorted[i][0]) * (reference[1] - best);
        }

        return volume;
    }

    private static void AssertMutuallyNonDominated(IReadOnlyList<double[]> front)
    {
        for (var a = 0; a < front.Count; a++)
        {
            for (var b = 0; b < front.Count; b++)
            {
                if (a != b)
                {
                    Assert.False(Dominates(front[a], front[b]), $"point {a} dominates point {b}");
                }
            }
        }
    }

    private static bool Dominates(double[] a, double[] b)
    {
        var strictly = false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] > b[i])
            {
                return false;
            }

            strictly |= a[i] < b[i];
        }

        return strictly;
    }
}
