using NasHpo.Core.Objectives;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Problems;

public class SyntheticProblemTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData("zdt1")]
    [InlineData("zdt2")]
    [InlineData("zdt3")]
    public void Zdt_at_the_origin_is_f1_zero_f2_one(string type)
    {
        var problem = SyntheticProblem.Create(type, new SyntheticProblemOptions(10));
        var f = problem.Evaluate(new double[10]);
        Assert.Equal(0.0, f[0], Tolerance);
        Assert.Equal(1.0, f[1], Tolerance);
    }

    [Fact]
    public void The_distance_variables_are_those_that_leave_the_front_when_moved()
    {
        var zdt1 = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(4));
        var dtlz2 = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(6, 3));
        Assert.Equal(["x1", "x2", "x3"], zdt1.DistanceVariableNames);
        Assert.Equal(["x2", "x3", "x4", "x5"], dtlz2.DistanceVariableNames);

        // On the front (ZDT distance variables at 0, DTLZ2's at 1/2), moving a position variable stays on it and
        // moving a distance variable leaves it.
        static double Distance(SyntheticProblem problem, double[] x) => problem.Name == "zdt1"
            ? problem.Evaluate(x)[1] - (1 - Math.Sqrt(x[0]))
            : Math.Sqrt(problem.Evaluate(x).Sum(f => f * f)) - 1;
        Assert.Equal(0.0, Distance(zdt1, [0.7, 0, 0, 0]), Tolerance);
        Assert.True(Distance(zdt1, [0.3, 0, 0.2, 0]) > 0.01);
        Assert.Equal(0.0, Distance(dtlz2, [0.2, 0.9, 0.5, 0.5, 0.5, 0.5]), Tolerance);
        Assert.True(Distance(dtlz2, [0.2, 0.9, 0.5, 0.5, 0.8, 0.5]) > 0.01);
    }

    [Fact]
    public void Zdt1_known_values()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(3));

        // g = 1 + 9 * (1 + 1) / 2 = 10, h = 1 - sqrt(1/10).
        var f = problem.Evaluate([1.0, 1.0, 1.0]);
        Assert.Equal(1.0, f[0], Tolerance);
        Assert.Equal(10.0 * (1.0 - Math.Sqrt(0.1)), f[1], Tolerance);

        // g = 1 + 9 * 0.5 / 2 = 3.25, f1 = 0.25.
        f = problem.Evaluate([0.25, 0.5, 0.0]);
        Assert.Equal(3.25 * (1.0 - Math.Sqrt(0.25 / 3.25)), f[1], Tolerance);
    }

    [Fact]
    public void Zdt2_and_zdt3_known_values()
    {
        var zdt2 = SyntheticProblem.Create("zdt2", new SyntheticProblemOptions(2));
        var f = zdt2.Evaluate([0.5, 1.0]);
        Assert.Equal(10.0 * (1.0 - (0.05 * 0.05)), f[1], Tolerance);

        var zdt3 = SyntheticProblem.Create("zdt3", new SyntheticProblemOptions(2));
        f = zdt3.Evaluate([0.05, 0.0]);
        Assert.Equal(1.0 - Math.Sqrt(0.05) - (0.05 * Math.Sin(0.5 * Math.PI)), f[1], Tolerance);
    }

    [Theory]
    [InlineData("zdt1")]
    [InlineData("zdt2")]
    [InlineData("zdt3")]
    public void Zdt_points_with_g_one_land_on_the_front_curve(string type)
    {
        var problem = SyntheticProblem.Create(type, new SyntheticProblemOptions(5));
        foreach (var f1 in new[] { 0.0, 0.1, 0.37, 0.8, 1.0 })
        {
            var f = problem.Evaluate([f1, 0, 0, 0, 0]);
            Assert.Equal(f1, f[0], Tolerance);
            var expected = type switch
            {
                "zdt1" => 1.0 - Math.Sqrt(f1),
                "zdt2" => 1.0 - (f1 * f1),
                _ => 1.0 - Math.Sqrt(f1) - (f1 * Math.Sin(10.0 * Math.PI * f1)),
            };
            Assert.Equal(expected, f[1], Tolerance);
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 7)]
    [InlineData(5, 12)]
    public void Dtlz2_with_distance_variables_at_one_half_lies_on_the_unit_sphere(int objectives, int dimensions)
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(dimensions, objectives));
        var random = new Random(3);
        for (var trial = 0; trial < 20; trial++)
        {
            var x = new double[dimensions];
            for (var i = 0; i < dimensions; i++)
            {
                x[i] = i < objectives - 1 ? random.NextDouble() : 0.5;
            }

            var f = problem.Evaluate(x);
            Assert.Equal(objectives, f.Length);
            Assert.Equal(1.0, f.Sum(v => v * v), 1e-12);
            Assert.All(f, v => Assert.True(v >= 0.0));
        }
    }

    [Fact]
    public void Dtlz2_known_values()
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(4, 3));

        // x0 = x1 = 0: f = (1 + g, 0, 0) with g = 2 * 0.25.
        var f = problem.Evaluate([0.0, 0.0, 0.0, 1.0]);
        Assert.Equal(1.5, f[0], Tolerance);
        Assert.Equal(0.0, f[1], Tolerance);
        Assert.Equal(0.0, f[2], Tolerance);

        // x0 = 1: only the last objective remains, f3 = sin(pi/2) = 1.
        f = problem.Evaluate([1.0, 0.3, 0.5, 0.5]);
        Assert.Equal(0.0, f[0], Tolerance);
        Assert.Equal(0.0, f[1], Tolerance);
        Assert.Equal(1.0, f[2], Tolerance);

        // x0 = 1/2, x1 = 1/2: (cos cos, cos sin, sin) of 45 degrees.
        f = problem.Evaluate([0.5, 0.5, 0.5, 0.5]);
        var c = Math.Sqrt(0.5);
        Assert.Equal(c * c, f[0], Tolerance);
        Assert.Equal(c * c, f[1], Tolerance);
        Assert.Equal(c, f[2], Tolerance);
    }

    [Fact]
    public void Objectives_are_named_f1_to_fm_minimised_and_expensive()
    {
        var problem = SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(6, 3));
        Assert.Equal(["f1", "f2", "f3"], problem.Objectives.Select(o => o.Name));
        Assert.All(problem.Objectives, o => Assert.Equal(ObjectiveDirection.Minimize, o.Direction));
        Assert.All(problem.Objectives, o => Assert.Equal(ObjectiveCost.Expensive, o.Cost));
        Assert.Equal(6, problem.Dimensions);
        Assert.Equal("dtlz2", problem.Name);
    }

    [Fact]
    public void Unknown_type_names_the_valid_ones_in_one_line()
    {
        var error = Assert.Throws<ArgumentException>(() => SyntheticProblem.Create("zdt9", new SyntheticProblemOptions(3)));
        Assert.Contains("'zdt9'", error.Message, StringComparison.Ordinal);
        Assert.Contains("zdt1, zdt2, zdt3, dtlz2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Type_names_are_case_insensitive()
    {
        Assert.Equal("zdt2", SyntheticProblem.Create("ZDT2", new SyntheticProblemOptions(3)).Name);
        Assert.IsType<Dtlz2Problem>(SyntheticProblem.Create("Dtlz2", new SyntheticProblemOptions(3, 3)));
    }

    [Theory]
    [InlineData("zdt1", 1, 2)]
    [InlineData("zdt3", 0, 2)]
    [InlineData("zdt2", 5, 3)]
    [InlineData("dtlz2", 2, 3)]
    [InlineData("dtlz2", 5, 1)]
    public void Unsupported_dimensions_are_rejected(string type, int dimensions, int objectives)
    {
        Assert.Throws<ArgumentException>(() => SyntheticProblem.Create(type, new SyntheticProblemOptions(dimensions, objectives)));
    }

    [Fact]
    public void Variables_must_match_the_dimension_and_lie_in_the_unit_interval()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(3));
        Assert.Throws<ArgumentException>(() => problem.Evaluate([0.1, 0.2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => problem.Evaluate([0.1, 1.2, 0.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => problem.Evaluate([double.NaN, 0.5, 0.0]));
    }

    [Fact]
    public void Reference_points_bound_every_attainable_point()
    {
        var random = new Random(11);
        foreach (var (type, options) in new[]
        {
            ("zdt1", new SyntheticProblemOptions(8)),
            ("zdt2", new SyntheticProblemOptions(8)),
            ("zdt3", new SyntheticProblemOptions(8)),
            ("dtlz2", new SyntheticProblemOptions(12, 3)),
        })
        {
            var problem = SyntheticProblem.Create(type, options);
            var reference = problem.ReferencePoint;
            Assert.Equal(problem.Objectives.Count, reference.Length);

            // The corners of the cube are the extremes of these problems.
            var corners = new[] { Enumerable.Repeat(1.0, options.Dimensions).ToArray(), new double[options.Dimensions] };
            var samples = Enumerable.Range(0, 500)
                .Select(_ => Enumerable.Range(0, options.Dimensions).Select(_ => random.NextDouble()).ToArray())
                .Concat(corners);
            foreach (var x in samples)
            {
                var f = problem.Evaluate(x);
                for (var i = 0; i < f.Length; i++)
                {
                    Assert.True(f[i] < reference[i], $"{type}: f{i + 1} = {f[i]} is not below the reference {reference[i]}");
                }
            }
        }
    }

    [Fact]
    public void Reference_point_is_a_copy()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(3));
        problem.ReferencePoint[0] = 99;
        Assert.Equal(1.1, problem.ReferencePoint[0]);
    }

    [Fact]
    public void Delay_scales_with_the_budget()
    {
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(3, Delay: TimeSpan.FromMilliseconds(90)));
        Assert.Equal(TimeSpan.FromMilliseconds(90), problem.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(30), problem.DelayAt(1, 3));
        Assert.Equal(TimeSpan.FromMilliseconds(90), problem.DelayAt(27, 27));
    }
}
