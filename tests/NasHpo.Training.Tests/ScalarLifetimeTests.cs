using NasHpo.Training.Data;
using NasHpo.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NasHpo.Training.Tests;

/// <summary>
/// The training path's arithmetic with owned Scalars (<see cref="ScalarArithmetic"/>, distillation, Shake-Shake,
/// ShakeDrop, cutout, batch norm): the very values of the operator expressions they replace, compared here with
/// those expressions written out as they were; and a run of them all while another thread collects garbage.
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void Scalar_arithmetic_gives_what_TorchSharps_operators_give_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var a = randn([6, 5], generator: generator);
        var b = randn([6, 5], generator: generator);
        var integers = randint(0, 50, [6, 1], generator: generator);

        AssertSame(a + b, a.Plus(b));
        AssertSame(integers + 7, integers.Plus(7));
        AssertSame(integers - 3, integers.Minus(3));
        AssertSame(a - 1, a.Minus(1));
        AssertSame(a + 1, a.Plus(1));
        AssertSame(a * 0.3, a.Times(0.3));
        AssertSame(0.299f * a, a.Times(0.299f));
        AssertSame(a / 3.7, a.DividedBy(3.7));
    }

    [Fact]
    public void Distillation_gives_the_loss_and_gradient_of_the_operator_expression_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var logits = randn([32, 10], generator: generator);
        var teacherLogits = randn([32, 10], generator: generator);
        var labels = randint(0, 10, [32], generator: generator);
        var ours = logits.clone().requires_grad_();
        var theirs = logits.clone().requires_grad_();
        const double temperature = 3.0;
        const double weight = 0.3;

        var loss = new Distillation(temperature, weight).Loss(ours, teacherLogits, labels);
        // Distillation.Loss as it was written with TorchSharp's operators.
        var hard = nn.functional.cross_entropy(theirs, labels);
        var teacher = nn.functional.log_softmax(teacherLogits.detach() / temperature, 1);
        var student = nn.functional.log_softmax(theirs / temperature, 1);
        var divergence = (teacher.exp() * (teacher - student)).sum(1).mean();
        var expected = ((1 - weight) * hard) + (weight * temperature * temperature * divergence);

        AssertSame(expected, loss);
        loss.backward();
        expected.backward();
        AssertSame(theirs.grad!, ours.grad!);
    }

    [Fact]
    public void Cutout_cuts_the_squares_of_the_operator_expression_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var data = new Generator(7);
        var images = randn([64, 3, 12, 12], generator: data);
        using var ourDraws = new Generator(11);
        using var theirDraws = new Generator(11);

        foreach (var length in new[] { 1, 4, 7, 12 })
        {
            var cut = Cutout.Apply(images, length, ourDraws);
            // Cutout.Apply as it was written with TorchSharp's operators.
            var top = randint(0, 12, [64, 1], generator: theirDraws) - (length / 2);
            var left = randint(0, 12, [64, 1], generator: theirDraws) - (length / 2);
            var rows = arange(12).unsqueeze(0);
            var columns = arange(12).unsqueeze(0);
            var inRows = rows.ge(top).logical_and(rows.lt(top + length));
            var inColumns = columns.ge(left).logical_and(columns.lt(left + length));
            var mask = inRows.unsqueeze(2).logical_and(inColumns.unsqueeze(1)).unsqueeze(1);
            AssertSame(images.masked_fill(mask, 0), cut);
        }
    }

    [Fact]
    public void Shake_Shake_weights_and_mixing_are_those_of_the_operator_expressions_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var ourDraws = new Generator(13);
        using var theirDraws = new Generator(13);
        foreach (var strength in new[] { 1.0, 0.4 })
        {
            var weights = ShakeRegularization.MixingWeights(16, 3, strength, generator: ourDraws);
            // MixingWeights as it was written with TorchSharp's operators.
            var uniform = full(16, 3, 1.0 / 3, dtype: ScalarType.Float32);
            var exponential = rand([16, 3], dtype: ScalarType.Float32, generator: theirDraws).neg_().add_(1).log_().neg_().clamp_min_(1e-12);
            var random = exponential / exponential.sum(1, keepdim: true);
            AssertSame(uniform * (1 - strength) + random * strength, weights);
        }

        using var data = new Generator(17);
        var values = Enumerable.Range(0, 3).Select(_ => randn([16, 2, 4, 4], generator: data)).ToArray();
        var forward = ShakeRegularization.MixingWeights(16, 3, 1.0, generator: data);
        var backward = ShakeRegularization.MixingWeights(16, 3, 1.0, generator: data);
        var ours = values.Select(v => v.clone().requires_grad_()).ToArray();
        var theirs = values.Select(v => v.clone().requires_grad_()).ToArray();

        var mixed = ShakeRegularization.Mix(ours, forward, backward);
        // Mix as it was written with TorchSharp's operators.
        Tensor Weighted(Tensor[] outputs, Tensor w, bool detach) =>
            outputs.Select((o, i) => (detach ? o.detach() : o) * w.select(1, i).view(-1, 1, 1, 1)).Aggregate((sum, term) => sum + term);
        Tensor correction;
        using (no_grad())
        {
            correction = Weighted(theirs, forward - backward, detach: true);
        }

        var expected = Weighted(theirs, backward, detach: false) + correction;
        AssertSame(expected, mixed);
        (mixed * mixed).sum().backward();
        (expected * expected).sum().backward();
        for (var i = 0; i < 3; i++)
        {
            AssertSame(theirs[i].grad!, ours[i].grad!);
        }
    }

    [Fact]
    public void ShakeDrop_gives_the_values_and_gradients_of_the_operator_expression_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var data = new Generator(19);
        var residual = randn([40, 2, 3, 3], generator: data);
        var ours = residual.clone().requires_grad_();
        var theirs = residual.clone().requires_grad_();
        const double deathRate = 0.6;
        using var ourDraws = new Generator(23);
        using var theirDraws = new Generator(23);

        AssertSame(residual * (1 - deathRate), ShakeRegularization.ShakeDrop(residual, deathRate, training: false));
        var shaken = ShakeRegularization.ShakeDrop(ours, deathRate, training: true, ourDraws);
        // ShakeDrop in training as it was written with TorchSharp's operators.
        var dead = rand([40], generator: theirDraws).lt(deathRate).to_type(ScalarType.Float32);
        var forwardFactor = rand([40], generator: theirDraws).mul_(2).sub_(1);
        var backwardFactor = rand([40], generator: theirDraws);
        var forwardScale = (dead * (forwardFactor - 1) + 1).view(40, 1, 1, 1);
        var backwardScale = (dead * (backwardFactor - 1) + 1).view(40, 1, 1, 1);
        Tensor correction;
        using (no_grad())
        {
            correction = theirs.detach() * (forwardScale - backwardScale);
        }

        var expected = theirs * backwardScale + correction;
        AssertSame(expected, shaken);
        (shaken * shaken).sum().backward();
        (expected * expected).sum().backward();
        AssertSame(theirs.grad!, ours.grad!);
    }

    [Fact]
    public void Batch_norm_with_owned_scalars_is_TorchSharps_BatchNorm2d_bit_for_bit_with_the_same_state_names()
    {
        using var scope = NewDisposeScope();
        using var theirs = nn.BatchNorm2d(4);
        using var ours = new BatchNorm2dOwnedScalars(4);
        using var data = new Generator(29);
        using (no_grad())
        {
            var weight = rand([4], generator: data);
            var bias = randn([4], generator: data);
            theirs.weight.copy_(weight);
            ours.weight.copy_(weight);
            theirs.bias!.copy_(bias);
            ours.bias!.copy_(bias);
        }

        Assert.Equal(theirs.state_dict().Keys, ours.state_dict().Keys);
        for (var step = 0; step < 3; step++)
        {
            var input = randn([8, 4, 5, 5], generator: data) * 3;
            var theirInput = input.clone().requires_grad_();
            var ourInput = input.clone().requires_grad_();
            var expected = theirs.forward(theirInput);
            var output = ours.forward(ourInput);
            AssertSame(expected, output);
            (expected * expected).sum().backward();
            (output * output).sum().backward();
            AssertSame(theirInput.grad!, ourInput.grad!);
        }

        AssertSame(theirs.weight.grad!, ours.weight.grad!);
        AssertSame(theirs.bias!.grad!, ours.bias!.grad!);
        AssertSame(theirs.running_mean!, ours.running_mean!);
        AssertSame(theirs.running_var!, ours.running_var!);
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
        AssertSame(theirs.num_batches_tracked!, ours.num_batches_tracked);
        theirs.eval();
        ours.eval();
        var test = randn([8, 4, 5, 5], generator: data);
        AssertSame(theirs.forward(test), ours.forward(test));
        Assert.Equal(3L, ours.num_batches_tracked.item<long>());
    }

    [Fact]
    public void The_training_path_survives_garbage_collections_that_come_while_libtorch_reads_its_scalars()
    {
        // Cutout, Shake-Shake, ShakeDrop, batch norm, the residual additions and the distillation loss, training and
        // evaluating, while another thread collects all the time (GarbageCollections has why).
        var spec = ResidualNetTests.Residual(branches: [2, 2, 2], deathRate: 0.5, cutoutLength: 4, initialFilters: 4);
        using var net = ResidualNetBuilder.Build(spec, imageSize: 8);
        using var noise = new Generator(31);
        using var noiseInUse = net.Module.UseNoise(noise);
        var distillation = new Distillation();
        var batches = GarbageCollections.Repeat(TimeSpan.FromSeconds(3), () =>
        {
            using var scope = NewDisposeScope();
            var images = Cutout.Apply(randn([8, 1, 8, 8], generator: noise), 4, noise);
            var labels = randint(0, 10, [8], generator: noise);
            net.Module.train();
            var loss = distillation.Loss(net.Module.forward(images), randn([8, 10], generator: noise), labels);
            loss.backward();
            Assert.True(float.IsFinite(loss.item<float>()));
            net.Module.eval();
            using (no_grad())
            {
                Assert.Equal([8L, 10L], net.Module.forward(images).shape);
            }
        });

        // Each batch makes dozens of these calls; the collector slows a loaded machine to a batch or two a second.
        Assert.True(batches >= 1, "no batch ran");
    }

    private static void AssertSame(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.Equals(actual), "the values differ");
    }
}
