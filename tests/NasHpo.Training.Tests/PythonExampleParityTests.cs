using NasHpo.Core.Randomness;

namespace NasHpo.Training.Tests;

/// <summary>
/// src/examples/pytorch/train_table2.py ports the engine's seeded split and batch order to Python, so a PyTorch trial
/// sees the validation images and batches the built-in workload sees. These numbers were printed by that port
/// (split_order(60000, 1) and epoch_order(12345, 1, 10000)); if the engine's generator or the split changes, the
/// port must change with it.
/// </summary>
public sealed class PythonExampleParityTests
{
    [Fact]
    public void The_split_permutation_matches_the_python_port()
    {
        var order = Enumerable.Range(0, 60_000).ToArray();
        // What FashionMnist.Load shuffles with for split seed 1.
        new DeterministicRandom(StableHash.Combine(1UL, StableHash.Of("fashion-mnist-split"))).Shuffle(order);

        Assert.Equal(new[] { 4128, 20298, 17740, 3875, 10612 }, order[..5]);
        Assert.Equal(new[] { 47436, 41659, 20534 }, order[^3..]);
    }

    [Fact]
    public void The_epoch_order_matches_the_python_port()
    {
        var order = ConvNetTraining.EpochOrder(12345, 1, 10_000);

        Assert.Equal(new long[] { 1215, 6363, 1184, 2945, 1478 }, order[..5]);
    }

    [Fact]
    public void The_hashes_match_the_python_port()
    {
        Assert.Equal(12753929946972836296UL, StableHash.Of("fashion-mnist-split"));
        Assert.Equal(11812867941337419652UL, StableHash.Combine(1, 2));
        Assert.Equal(10821601311037046627UL, new DeterministicRandom(7).NextUInt64());
    }
}
