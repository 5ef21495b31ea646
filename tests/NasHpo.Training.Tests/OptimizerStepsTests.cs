using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasHpo.Training.Tests;

/// <summary>
/// <see cref="OptimizerSteps"/>: the very same update as TorchSharp's own Adam and SGD steps (checkpoints and tables
/// made with those stay valid), and one that garbage collections during the step cannot break.
/// </summary>
public sealed class OptimizerStepsTests
{
    public static TheoryData<double, bool, bool> AdamOptions => new()
    {
        { 0.0, false, false },
        { 0.01, true, true },
    };

    public static TheoryData<double, double, double, bool> SgdOptions => new()
    {
        { 0.9, 0.1, 5e-4, false },
        { 0.9, 0.0, 0.0, true },
        { 0.0, 0.0, 0.0, false },
    };

    [Theory]
    [MemberData(nameof(AdamOptions))]
    public void Adam_gives_the_weights_and_state_of_TorchSharps_own_step_bit_for_bit(double weightDecay, bool amsgrad, bool maximize)
    {
        using var theirs = Network();
        using var ours = Network();
        using var theirOptimizer = optim.Adam(theirs.parameters(), lr: 3e-3, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        using var ourOptimizer = optim.Adam(ours.parameters(), lr: 3e-3, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);

        TrainSideBySide(theirs, () => theirOptimizer.step(), ours, () => OptimizerSteps.Step(ourOptimizer));

        var theirStates = theirOptimizer.state_dict().State.Cast<Adam.State>().ToArray();
        var ourStates = ourOptimizer.state_dict().State.Cast<Adam.State>().ToArray();
        Assert.Equal(theirStates.Length, ourStates.Length);
        for (var i = 0; i < theirStates.Length; i++)
        {
            Assert.Equal(12, ourStates[i].step);
            Assert.Equal(theirStates[i].step, ourStates[i].step);
            Assert.True(theirStates[i].exp_avg.Equals(ourStates[i].exp_avg));
            Assert.True(theirStates[i].exp_avg_sq.Equals(ourStates[i].exp_avg_sq));
            Assert.Equal(amsgrad, ourStates[i].max_exp_avg_sq is not null);
            Assert.True(!amsgrad || theirStates[i].max_exp_avg_sq.Equals(ourStates[i].max_exp_avg_sq));
        }
    }

    [Theory]
    [MemberData(nameof(SgdOptions))]
    public void Sgd_gives_the_weights_and_momentum_of_TorchSharps_own_step_bit_for_bit(double momentum, double dampening, double weightDecay, bool nesterov)
    {
        using var theirs = Network();
        using var ours = Network();
        using var theirOptimizer = optim.SGD(theirs.parameters(), 0.05, momentum: momentum, dampening: dampening, weight_decay: weightDecay, nesterov: nesterov);
        using var ourOptimizer = optim.SGD(ours.parameters(), 0.05, momentum: momentum, dampening: dampening, weight_decay: weightDecay, nesterov: nesterov);

        TrainSideBySide(theirs, () => theirOptimizer.step(), ours, () => OptimizerSteps.Step(ourOptimizer));

        var theirStates = theirOptimizer.state_dict().State.Cast<SGD.State>().ToArray();
        var ourStates = ourOptimizer.state_dict().State.Cast<SGD.State>().ToArray();
        for (var i = 0; i < theirStates.Length; i++)
        {
            Assert.Equal(momentum != 0, ourStates[i].momentum_buffer is not null);
            Assert.True(momentum == 0 || theirStates[i].momentum_buffer.Equals(ourStates[i].momentum_buffer));
        }
    }

    [Fact]
    public void Steps_survive_garbage_collections_that_come_while_libtorch_reads_their_scalars()
    {
        // Another thread collecting all the time, as a second training worker's allocations do now and then. With
        // TorchSharp's own step() this fails within seconds ("Expected false to be true, but got false" from
        // Scalar::toFloat, or "Unknown scalar type"): its Scalars are finalized while libtorch still reads them.
        using var adamNet = Network();
        using var sgdNet = Network();
        using var adam = optim.Adam(adamNet.parameters(), lr: 1e-3);
        using var sgd = optim.SGD(sgdNet.parameters(), 1e-2, momentum: 0.9);
        var step = 0;
        var steps = GarbageCollections.Repeat(TimeSpan.FromSeconds(3), () =>
        {
            Backward(adamNet, step);
            OptimizerSteps.Step(adam);
            Backward(sgdNet, step);
            OptimizerSteps.Step(sgd);
            step++;
        });

        Assert.True(steps > 10, $"only {steps} steps");
    }

    /// <summary>Many small layers: many parameters, each update one more chance for a collection to strike.</summary>
    private static Sequential Network()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        using var generator = new Generator(17);
        for (var i = 0; i < 8; i++)
        {
            var linear = nn.Linear(12, 12);
            using (no_grad())
            {
                linear.weight!.uniform_(-0.3, 0.3, generator);
                linear.bias!.uniform_(-0.1, 0.1, generator);
            }

            layers.Add(($"linear{i}", linear));
            layers.Add(($"relu{i}", nn.ReLU()));
        }

        return nn.Sequential(layers);
    }

    /// <summary>The gradients of one batch, the same batch for the same step whichever network.</summary>
    private static void Backward(Sequential network, int step)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(1000 + step));
        var inputs = randn([16, 12], generator: generator);
        var labels = randint(0, 12, [16], generator: generator);
        network.zero_grad();
        nn.functional.cross_entropy(network.forward(inputs), labels).backward();
    }

    /// <summary>12 steps of each network on the same batches, then the same weights, to the bit.</summary>
    private static void TrainSideBySide(Sequential theirs, Action theirStep, Sequential ours, Action ourStep)
    {
        for (var step = 0; step < 12; step++)
        {
            Backward(theirs, step);
            theirStep();
            Backward(ours, step);
            ourStep();
        }

        AssertSameWeights(theirs, ours);
    }

    private static void AssertSameWeights(Sequential expected, Sequential actual)
    {
        var pairs = expected.named_parameters().Zip(actual.named_parameters()).ToArray();
        Assert.Equal(16, pairs.Length);
        foreach (var ((name, theirs), (_, ours)) in pairs)
        {
            Assert.True(theirs.Equals(ours), $"{name} differs");
        }
    }
}
