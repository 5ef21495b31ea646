using NasHpo.Core.Pareto;

namespace NasHpo.Core.Tests.Pareto;

public sealed class ParetoArchiveTests
{
    [Fact]
    public void Admission_keeps_the_non_dominated_points_and_of_equal_ones_the_first()
    {
        var archive = new ParetoArchive<string>();

        Assert.True(archive.Admit("a", [2.0, 2.0]));
        Assert.True(archive.Admit("b", [1.0, 3.0]));
        Assert.False(archive.Admit("dominated", [2.0, 3.0]));
        Assert.False(archive.Admit("equal to a", [2.0, 2.0]));
        Assert.True(archive.Admit("c", [1.5, 1.5]));

        // c dominates a; b stays.
        Assert.Equal(["b", "c"], archive.Members);
        Assert.Equal(2, archive.Count);
    }

    [Fact]
    public void A_copy_takes_admissions_without_changing_the_original()
    {
        var archive = new ParetoArchive<int>();
        archive.Admit(0, [1.0, 1.0]);

        var copy = archive.Copy();
        Assert.True(copy.Admit(1, [0.5, 0.5]));

        Assert.Equal([0], archive.Members);
        Assert.Equal([1], copy.Members);
    }

    [Fact]
    public void The_front_of_a_list_is_non_dominated_sortings_first_front_with_each_distinct_point_once()
    {
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            // Coarse values, so that equal points and ties in one objective are common.
            var points = Enumerable.Range(0, 30).Select(_ => new[] { (double)random.Next(6), random.Next(6), random.Next(6) }).ToArray();

            var front = ParetoArchive.FrontIndices(points);

            var firstOfEach = points.Select((p, i) => (p, i)).GroupBy(x => string.Join(",", x.p)).Select(g => g.First().i).ToHashSet();
            var expected = NonDominatedSorting.FirstFront(points).Where(firstOfEach.Contains).Order();
            Assert.Equal(expected, front);
        }
    }
}
