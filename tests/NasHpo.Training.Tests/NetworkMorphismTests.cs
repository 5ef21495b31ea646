using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.SearchSpaces;
using NasHpo.Tests.Shared;
using NasHpo.Training.Data;
using NasHpo.Training.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
// NasHpo.Configuration (the study reader) is a namespace here too, so the search-space type needs a name of its own.
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Training.Tests;

public sealed class NetworkMorphismTests(ITestOutputHelper output)
{
    private const int Size = 16;

    /// <summary>Each bulk-up morphism: the parent, the child, the operation (kernel 3, same padding throughout).</summary>
    private static IEnumerable<(string Name, SearchConfiguration Parent, SearchConfiguration Child, Morphism Morphism)> BulkUps()
    {
        (int, int, bool)[] twoConv = [(4, 3, true), (6, 5, false)];
        yield return ("wider first conv (batch norm, flattened)", Table2.Configuration(twoConv, [8]), Table2.Configuration([(8, 3, true), (6, 5, false)], [8]), new Morphism(Morphism.Wider, "filters_1"));
        yield return ("wider last conv (flattened)", Table2.Configuration(twoConv, [8]), Table2.Configuration([(4, 3, true), (11, 5, false)], [8]), new Morphism(Morphism.Wider, "filters_2"));
        yield return ("wider last conv (global average pooling)", Table2.Configuration([(4, 3, false), (6, 3, true)], [8], globalAveragePooling: true), Table2.Configuration([(4, 3, false), (12, 3, true)], [8], globalAveragePooling: true), new Morphism(Morphism.Wider, "filters_2"));
        yield return ("wider first fc", Table2.Configuration(twoConv, [8, 5]), Table2.Configuration(twoConv, [16, 5]), new Morphism(Morphism.Wider, "units_1"));
        yield return ("wider last fc", Table2.Configuration(twoConv, [8, 5]), Table2.Configuration(twoConv, [8, 9]), new Morphism(Morphism.Wider, "units_2"));
        yield return ("deeper fc", Table2.Configuration(twoConv, [8]), Table2.Configuration(twoConv, [8, 8]), new Morphism(Morphism.Deeper, "fc_layers"));
    }

    [Fact]
    public void Widened_and_deepened_children_compute_their_parents_function_on_random_images()
    {
        using var images = randn(64, 1, Size, Size, generator: new Generator(5));
        AssertFunctionPreserved(images);
    }

    [RealFashionMnistFact]
    public void Widened_and_deepened_children_compute_their_parents_function_on_real_images()
    {
        using var data = FashionMnist.Load(new FashionMnistOptions { TrainingSubset = 256, ValidationSubset = 128, TestSubset = 128, ImageSize = Size, Seed = 2 });
        AssertFunctionPreserved(data.Validation.Images);
    }

    private void AssertFunctionPreserved(Tensor images)
    {
        foreach (var (name, parentConfiguration, childConfiguration, morphism) in BulkUps())
        {
            using var parent = TrainedParent(parentConfiguration, images);
            using var child = ConvNetBuilder.Build(childConfiguration, Size);
            NetworkMorphism.Inherit(parent, child, morphism, seed: 11);
            parent.Module.eval();
            child.Module.eval();
            using var noGrad = no_grad();
            using var expected = parent.Module.forward(images);
            using var actual = child.Module.forward(images);
            var difference = (expected - actual).abs().max().item<float>();
            var scale = expected.abs().max().item<float>();
            output.WriteLine($"{name}: largest logit difference {difference:E2} (logits up to {scale:F2}); parent {parent.Parameters} parameters, child {child.Parameters}");
            Assert.True(difference <= 1e-4 * Math.Max(1, scale), $"{name}: the child's logits differ from the parent's by {difference}");
        }
    }

    [Fact]
    public void A_deeper_conv_starts_as_the_identity_convolution()
    {
        using var images = randn(16, 1, Size, Size, generator: new Generator(6));
        using var parent = TrainedParent(Table2.Configuration([(4, 3, true)], [8], globalAveragePooling: true), images);
        using var child = ConvNetBuilder.Build(Table2.Configuration([(4, 3, true), (4, 3, false)], [8], globalAveragePooling: true), Size);

        NetworkMorphism.Inherit(parent, child, new Morphism(Morphism.Deeper, "conv_layers"), seed: 1);

        parent.Module.eval();
        child.Module.eval();
        using var noGrad = no_grad();
        // The parent's feature map after its last pooling passes the new conv and ReLU unchanged; only the new
        // pooling (which no identity can undo) differs, which is why this morphism is documented as approximate.
        using var parentMap = Through(parent.Module, images, "pool1");
        using var childMap = Through(child.Module, images, "relu2");
        Assert.True((parentMap - childMap).abs().max().item<float>() < 1e-5);
        using var logits = child.Module.forward(images);
        Assert.Equal(new long[] { 16, 10 }, logits.shape);
    }

    [Fact]
    public void Pruning_keeps_the_filters_with_the_largest_l1_norm_and_their_next_layer_inputs()
    {
        using var images = randn(32, 1, Size, Size, generator: new Generator(7));
        using var parent = TrainedParent(Table2.Configuration([(8, 3, true), (6, 3, false)], [8, 6]), images);
        using var child = ConvNetBuilder.Build(Table2.Configuration([(5, 3, true), (6, 3, false)], [8, 6]), Size);

        NetworkMorphism.Inherit(parent, child, new Morphism(Morphism.Prune, "filters_1"), seed: 1);

        var parentTensors = parent.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var childTensors = child.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var norms = parentTensors["conv1.weight"].abs().sum([1, 2, 3]).data<float>().ToArray();
        var kept = Enumerable.Range(0, norms.Length).OrderByDescending(i => norms[i]).Take(5).Order().Select(i => (long)i).ToArray();
        using var index = tensor(kept);
        Assert.True(childTensors["conv1.weight"].allclose(parentTensors["conv1.weight"].index_select(0, index), rtol: 0, atol: 0));
        Assert.True(childTensors["bn1.weight"].allclose(parentTensors["bn1.weight"].index_select(0, index), rtol: 0, atol: 0));
        Assert.True(childTensors["conv2.weight"].allclose(parentTensors["conv2.weight"].index_select(1, index), rtol: 0, atol: 0));
        Assert.True(childTensors["fc2.weight"].allclose(parentTensors["fc2.weight"], rtol: 0, atol: 0));

        // Pruning units of a fully connected layer takes the matching columns of the next one.
        using var fcChild = ConvNetBuilder.Build(Table2.Configuration([(8, 3, true), (6, 3, false)], [3, 6]), Size);
        NetworkMorphism.Inherit(parent, fcChild, new Morphism(Morphism.Prune, "units_1"), seed: 1);
        Assert.Equal(new long[] { 6, 3 }, fcChild.Module.named_parameters().First(p => p.name == "fc2.weight").parameter.shape);
    }

    [Fact]
    public void A_child_that_is_not_the_morphism_of_its_parent_is_refused()
    {
        using var parent = ConvNetBuilder.Build(Table2.Configuration([(4, 3, true)], [8]), Size);
        using var child = ConvNetBuilder.Build(Table2.Configuration([(8, 5, true)], [8]), Size);

        var error = Assert.Throws<InvalidArchitectureException>(() => NetworkMorphism.Inherit(parent, child, new Morphism(Morphism.Wider, "filters_1"), 1));
        Assert.Contains("wider filters_1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_distillation_loss_pulls_a_pruned_student_towards_its_teacher()
    {
        using var images = randn(64, 1, Size, Size, generator: new Generator(8));
        using var labels = randint(0, 10, [64], generator: new Generator(9));
        using var teacher = TrainedParent(Table2.Configuration([(8, 3, true)], [16]), images);
        using var student = ConvNetBuilder.Build(Table2.Configuration([(4, 3, true)], [16]), Size);
        NetworkMorphism.Inherit(teacher, student, new Morphism(Morphism.Prune, "filters_1"), seed: 1);
        teacher.Module.eval();
        var distillation = new Distillation(Temperature: 4, TeacherWeight: 1);

        // The loss is the teacher's: with the student's own logits as the teacher only the hard part remains.
        using (no_grad())
        {
            using var logits = student.Module.forward(images);
            var half = new Distillation(TeacherWeight: 0.5);
            using var alone = nn.functional.cross_entropy(logits, labels);
            Assert.Equal(0.5 * alone.item<float>(), half.Loss(logits, logits, labels).item<float>(), 5);
            Assert.Equal(0, distillation.Loss(logits, logits, labels).item<float>(), 5);
        }

        double Divergence()
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            student.Module.eval();
            return distillation.Loss(student.Module.forward(images), teacher.Module.forward(images), labels).item<float>();
        }

        var before = Divergence();
        Assert.True(before > 1e-4, $"the pruned student starts at {before} from its teacher: nothing to distil");
        using var optimizer = optim.Adam(student.Module.parameters(), lr: 0.003);
        for (var step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            student.Module.train();
            Tensor target;
            using (no_grad())
            {
                target = teacher.Module.forward(images);
            }

            var loss = distillation.Loss(student.Module.forward(images), target, labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        var after = Divergence();
        output.WriteLine($"T²·KL from the teacher: {before:F4} before distillation, {after:F4} after 200 steps");

        // The student's initialisation is not seeded (the global generator is shared by tests running in parallel),
        // so how far the steps take it varies: CI once saw after/before = 0.63 after 120 steps; four runs of 200 steps
        // gave 0.03 to 0.38. The bound asks for a third less.
        Assert.True(after < 0.67 * before, $"distillation moved the student from {before} to {after} only");
    }

    /// <summary>A parent whose weights and batch-norm statistics moved away from their initial values.</summary>
    private static ConvNet TrainedParent(SearchConfiguration configuration, Tensor images)
    {
        var net = ConvNetBuilder.Build(configuration, Size);
        // A small rate: a large first step can push every unit of a fully connected layer below zero, and a dead
        // network has nothing to preserve or distil.
        using var optimizer = optim.Adam(net.Module.parameters(), lr: 0.001);
        using var labels = randint(0, 10, [images.shape[0]], generator: new Generator(3));
        net.Module.train();
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(net.Module.forward(images), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        return net;
    }

    private static Tensor Through(nn.Module<Tensor, Tensor> module, Tensor input, string lastLayer)
    {
        var x = input.alias();
        foreach (var (name, layer) in module.named_children())
        {
            var next = ((nn.Module<Tensor, Tensor>)layer).forward(x);
            x.Dispose();
            x = next;
            if (name == lastLayer)
            {
                return x;
            }
        }

        throw new InvalidOperationException($"no layer {lastLayer}");
    }
}
