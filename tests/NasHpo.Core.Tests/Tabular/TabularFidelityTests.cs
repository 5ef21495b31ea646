using NasHpo.Core.SearchSpaces;
using NasHpo.Core.Tabular;

namespace NasHpo.Core.Tests.Tabular;

public class TabularFidelityTests
{
    private static readonly SearchSpace Space = SearchSpace.Create([new IntegerParameter("k", 0, 8)]);

    /// <summary>Nine configurations over three epochs; <paramref name="error"/> gives the validation error of configuration k at epoch e.</summary>
    private static TabularTable Table(Func<int, int, double> error) =>
        new(Space, 3, new Dictionary<string, string>(), DiscreteEnumeration.All(Space).Select(c =>
        {
            var k = c.GetInt32("k");
            return new TabularRun(
                c,
                0,
                new Dictionary<string, double> { [TabularTable.OverheadSeconds] = 0 },
                new Dictionary<string, IReadOnlyList<double>>
                {
                    ["val-error"] = [error(k, 1), error(k, 2), error(k, 3)],
                    [TabularTable.TrainSeconds] = [1.0, 1.0, 1.0],
                });
        }));

    [Fact]
    public void Budgets_that_rank_as_the_last_epoch_agree_fully_and_reversed_ones_not_at_all()
    {
        // Epoch 1 ranks the configurations in reverse, epoch 2 as the last epoch does.
        var table = Table((k, e) => e == 1 ? 1 - (k / 10.0) : (k / 10.0) + (0.5 / e));

        var agreements = TabularFidelity.RankAgreements(table, "val-error");

        Assert.Equal([1, 2, 3], agreements.Select(a => a.Epoch));
        Assert.Equal(-1, agreements[0].Spearman, 9);
        Assert.Equal(0, agreements[0].BestThirdKept);
        Assert.Equal(1, agreements[1].Spearman, 9);
        Assert.Equal(1, agreements[1].BestThirdKept);
        Assert.All(agreements, a => Assert.Equal(9, a.Runs));
    }
}
