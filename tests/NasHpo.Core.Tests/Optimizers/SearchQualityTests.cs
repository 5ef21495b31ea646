using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Optimizers;

public class SearchQualityTests
{

    [Fact]
    public void MO_BOHB_beats_random_search_on_ZDT1_at_equal_evaluations()
    {
        // 10-D ZDT1, 200 evaluations, 5 seeds. MO-BOHB runs Hyperband from budget 3 to 27 with noisy, biased low
        // budgets, and still only the evaluations at the full budget count; random search runs everything there.
        var random = Zdt1Quality.Median("random", 3, 27);
        var moBohb = Zdt1Quality.Median("mo-bohb", 3, 27);
        Assert.True(moBohb > random, $"MO-BOHB median hypervolume {moBohb:F4} is not above random search's {random:F4}");
    }

    [Fact]
    public void MO_BOHB_with_asynchronous_promotion_beats_random_search_on_ZDT1_too()
    {
        // ASHA promotes on partial rungs, and fewer evaluations reach the full budget than in synchronous brackets.
        var random = Zdt1Quality.Median("random", 3, 27);
        var synchronous = Zdt1Quality.Median("mo-bohb", 3, 27);
        var asynchronous = Zdt1Quality.Median("mo-bohb", 3, 27, PromotionMode.Asynchronous);
        Assert.True(asynchronous > random, $"asynchronous MO-BOHB median hypervolume {asynchronous:F4} is not above random search's {random:F4} (synchronous: {synchronous:F4})");
    }

    [Fact]
    public void MO_BOHB_without_multi_fidelity_beats_random_search_too()
    {
        var random = Zdt1Quality.Median("random", 27, 27);
        var moBohb = Zdt1Quality.Median("mo-bohb", 27, 27);
        Assert.True(moBohb > random, $"MO-BOHB median hypervolume {moBohb:F4} is not above random search's {random:F4}");
    }
}
