using System.Runtime.CompilerServices;

namespace NasHpo.Core.Optimizers.Models;

/// <summary>How a <see cref="NeuralPredictor"/> is shaped and trained.</summary>
internal sealed record NeuralPredictorSettings
{
    /// <summary>Fully connected ReLU layers between the inputs and the linear output layer.</summary>
    public int HiddenLayers { get; init; } = 2;

    /// <summary>
    /// Width of each hidden layer. BANANAS used 20; 16 units and 30 epochs fit the few dozen observations a budget
    /// has about as well as more (held-out correlation about 0.9 on 8-D DTLZ2 with 60 points) at a fraction of
    /// the cost, which matters because the ensemble is retrained whenever its budget gets a new observation.
    /// </summary>
    public int HiddenUnits { get; init; } = 16;

    /// <summary>Passes over the training set; each is shuffled by the member's own generator.</summary>
    public int Epochs { get; init; } = 30;

    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's step size (BANANAS used 0.01).</summary>
    public double LearningRate { get; init; } = 0.01;

    public void Validate()
    {
        if (HiddenLayers < 1 || HiddenUnits < 1 || Epochs < 1 || BatchSize < 1 || !(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentException(
                $"invalid neural predictor settings: need layers ≥ 1, units ≥ 1, epochs ≥ 1, batch size ≥ 1 and a finite learning rate > 0 (got {this})");
        }
    }
}

/// <summary>
/// A small multilayer perceptron that predicts several targets at once (one output per objective), trained by
/// mean squared error on standardised targets with Adam: BANANAS' neural predictor (White et al. 2019) in plain C#,
/// so that the core keeps no package dependencies. Training is a deterministic function of the data and the
/// generator (fixed summation order, no parallelism), so a replayed study trains the same network again.
/// </summary>
internal sealed class NeuralPredictor
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double AdamEpsilon = 1e-8;

    // Layer l maps _sizes[l] inputs to _sizes[l + 1] outputs; its weights are row-major [output, input].
    private readonly int[] _sizes;
    private readonly double[][] _weights;
    private readonly double[][] _biases;
    private readonly double[] _targetMean;
    private readonly double[] _targetScale;

    private NeuralPredictor(int[] sizes, double[] targetMean, double[] targetScale)
    {
        _sizes = sizes;
        _weights = new double[sizes.Length - 1][];
        _biases = new double[sizes.Length - 1][];
        for (var l = 0; l < sizes.Length - 1; l++)
        {
            _weights[l] = new double[sizes[l] * sizes[l + 1]];
            _biases[l] = new double[sizes[l + 1]];
        }

        _targetMean = targetMean;
        _targetScale = targetScale;
    }

    public int InputCount => _sizes[0];

    public int OutputCount => _sizes[^1];

    /// <summary>
    /// Trains a network on finite inputs and targets (one row each per observation). Weights start He-normal
    /// from <paramref name="random"/>, which also shuffles every epoch.
    /// </summary>
    public static NeuralPredictor Train(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets, NeuralPredictorSettings settings, Random random)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        settings.Validate();
        if (inputs.Count == 0 || inputs.Count != targets.Count)
        {
            throw new ArgumentException($"need as many target rows as input rows, and at least one (got {inputs.Count} and {targets.Count})", nameof(targets));
        }

        var inputCount = inputs[0].Length;
        var outputCount = targets[0].Length;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length != inputCount || targets[i].Length != outputCount
                || inputs[i].Any(v => !double.IsFinite(v)) || targets[i].Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"row {i} has the wrong length or a value that is not finite", nameof(inputs));
            }
        }

        var (mean, scale) = Standardisation(targets, outputCount);
        var sizes = new int[settings.HiddenLayers + 2];
        sizes[0] = inputCount;
        for (var l = 1; l <= settings.HiddenLayers; l++)
        {
            sizes[l] = settings.HiddenUnits;
        }

        sizes[^1] = outputCount;
        var network = new NeuralPredictor(sizes, mean, scale);
        network.Initialise(random);

        var standardised = new double[targets.Count][];
        for (var i = 0; i < targets.Count; i++)
        {
            standardised[i] = new double[outputCount];
            for (var k = 0; k < outputCount; k++)
            {
                standardised[i][k] = (targets[i][k] - mean[k]) / scale[k];
            }
        }

        new Trainer(network, settings).Run(inputs, standardised, random);
        return network;
    }

    /// <summary>The predicted targets of one input row, in the targets' own units.</summary>
    public double[] Predict(ReadOnlySpan<double> input)
    {
        if (input.Length != InputCount)
        {
            throw new ArgumentException($"expected {InputCount} inputs, got {input.Length}", nameof(input));
        }

        var activation = input.ToArray();
        for (var l = 0; l < _weights.Length; l++)
        {
            var next = new double[_sizes[l + 1]];
            Layer(l, activation, next, relu: l < _weights.Length - 1);
            activation = next;
        }

        for (var k = 0; k < activation.Length; k++)
        {
            activation[k] = _targetMean[k] + (_targetScale[k] * activation[k]);
        }

        return activation;
    }

    private static (double[] Mean, double[] Scale) Standardisation(IReadOnlyList<double[]> targets, int outputCount)
    {
        var mean = new double[outputCount];
        var scale = new double[outputCount];
        for (var k = 0; k < outputCount; k++)
        {
            var sum = 0.0;
            foreach (var row in targets)
            {
                sum += row[k];
            }

            mean[k] = sum / targets.Count;
            var squares = 0.0;
            foreach (var row in targets)
            {
                squares += (row[k] - mean[k]) * (row[k] - mean[k]);
            }

            // A constant target (or a single observation) still needs a unit to divide by.
            var sd = Math.Sqrt(squares / targets.Count);
            scale[k] = sd > 1e-12 * Math.Max(1.0, Math.Abs(mean[k])) ? sd : 1.0;
        }

        return (mean, scale);
    }

    private void Initialise(Random random)
    {
        for (var l = 0; l < _weights.Length; l++)
        {
            // He initialisation for the ReLU layers; the linear output layer gets variance 1/fan-in.
            var fanIn = _sizes[l];
            var sd = Math.Sqrt((l < _weights.Length - 1 ? 2.0 : 1.0) / fanIn);
            var weights = _weights[l];
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = sd * Gaussian.Next(random);
            }
        }
    }

    // Hot loops: compiled optimised at once, because tiered compilation would first run them unoptimised for the
    // whole of the first trainings (a study's first proposals took ten times longer).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Layer(int l, ReadOnlySpan<double> input, Span<double> output, bool relu)
    {
        var inputs = _sizes[l];
        var weights = _weights[l];
        var biases = _biases[l];
        for (var o = 0; o < output.Length; o++)
        {
            var row = weights.AsSpan(o * inputs, inputs);
            var sum = biases[o];
            for (var i = 0; i < row.Length; i++)
            {
                sum += row[i] * input[i];
            }

            output[o] = relu && sum < 0 ? 0 : sum;
        }
    }

    /// <summary>Mini-batch Adam on the mean squared error; buffers are allocated once per training.</summary>
    private sealed class Trainer
    {
        private readonly NeuralPredictor _network;
        private readonly NeuralPredictorSettings _settings;
        private readonly double[][] _weightGradient;
        private readonly double[][] _biasGradient;
        private readonly double[][] _weightMoment;
        private readonly double[][] _weightVelocity;
        private readonly double[][] _biasMoment;
        private readonly double[][] _biasVelocity;
        private readonly double[][] _activations;
        private readonly double[][] _deltas;
        private long _step;

        public Trainer(NeuralPredictor network, NeuralPredictorSettings settings)
        {
            _network = network;
            _settings = settings;
            var layers = network._weights.Length;
            _weightGradient = network._weights.Select(w => new double[w.Length]).ToArray();
            _biasGradient = network._biases.Select(b => new double[b.Length]).ToArray();
            _weightMoment = network._weights.Select(w => new double[w.Length]).ToArray();
            _weightVelocity = network._weights.Select(w => new double[w.Length]).ToArray();
            _biasMoment = network._biases.Select(b => new double[b.Length]).ToArray();
            _biasVelocity = network._biases.Select(b => new double[b.Length]).ToArray();
            _activations = network._sizes.Select(s => new double[s]).ToArray();
            _deltas = new double[layers][];
            for (var l = 0; l < layers; l++)
            {
                _deltas[l] = new double[network._sizes[l + 1]];
            }
        }

        public void Run(IReadOnlyList<double[]> inputs, double[][] targets, Random random)
        {
            var order = Enumerable.Range(0, inputs.Count).ToArray();
            for (var epoch = 0; epoch < _settings.Epochs; epoch++)
            {
                // Fisher-Yates with the member's generator: the batches, like the weights, follow from the seed.
                for (var i = order.Length - 1; i > 0; i--)
                {
                    var j = random.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }

                for (var start = 0; start < order.Length; start += _settings.BatchSize)
                {
                    var end = Math.Min(start + _settings.BatchSize, order.Length);
                    ClearGradients();
                    for (var b = start; b < end; b++)
                    {
                        Accumulate(inputs[order[b]], targets[order[b]]);
                    }

                    AdamStep(end - start);
                }
            }
        }

        private void ClearGradients()
        {
            foreach (var g in _weightGradient)
            {
                Array.Clear(g);
            }

            foreach (var g in _biasGradient)
            {
                Array.Clear(g);
            }
        }

        /// <summary>Forward and backward pass of one example; adds its gradient of ½·Σ(prediction − target)².</summary>
        // Compiled optimised at once, as Layer is.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Accumulate(double[] input, double[] target)
        {
            var layers = _network._weights.Length;
            input.CopyTo(_activations[0], 0);
            for (var l = 0; l < layers; l++)
            {
                _network.Layer(l, _activations[l], _activations[l + 1], relu: l < layers - 1);
            }

            var output = _activations[layers];
            var last = _deltas[layers - 1];
            for (var k = 0; k < output.Length; k++)
            {
                last[k] = output[k] - target[k];
            }

            for (var l = layers - 1; l >= 0; l--)
            {
                var delta = _deltas[l];
                var below = _activations[l];
                var inputsOfLayer = _network._sizes[l];
                var weights = _network._weights[l];
                var gradient = _weightGradient[l];
                var biasGradient = _biasGradient[l];
                for (var o = 0; o < delta.Length; o++)
                {
                    var d = delta[o];
                    biasGradient[o] += d;
                    if (d == 0)
                    {
                        continue;
                    }

                    var row = gradient.AsSpan(o * inputsOfLayer, inputsOfLayer);
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] += d * below[i];
                    }
                }

                if (l == 0)
                {
                    break;
                }

                // Back through the weights, then through the ReLU of the layer below (its output is > 0 where it passed).
                var deltaBelow = _deltas[l - 1];
                Array.Clear(deltaBelow);
                for (var o = 0; o < delta.Length; o++)
                {
                    var d = delta[o];
                    if (d == 0)
                    {
                        continue;
                    }

                    var row = weights.AsSpan(o * inputsOfLayer, inputsOfLayer);
                    for (var i = 0; i < row.Length; i++)
                    {
                        deltaBelow[i] += d * row[i];
                    }
                }

                for (var i = 0; i < deltaBelow.Length; i++)
                {
                    if (below[i] <= 0)
                    {
                        deltaBelow[i] = 0;
                    }
                }
            }
        }

        private void AdamStep(int batch)
        {
            _step++;
            var correction1 = 1 - Math.Pow(Beta1, _step);
            var correction2 = 1 - Math.Pow(Beta2, _step);
            var rate = _settings.LearningRate * Math.Sqrt(correction2) / correction1;
            var perExample = 1.0 / batch;
            for (var l = 0; l < _network._weights.Length; l++)
            {
                Update(_network._weights[l], _weightGradient[l], _weightMoment[l], _weightVelocity[l], rate, perExample);
                Update(_network._biases[l], _biasGradient[l], _biasMoment[l], _biasVelocity[l], rate, perExample);
            }
        }

        // Compiled optimised at once, as Layer is.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Update(double[] parameters, double[] gradient, double[] moment, double[] velocity, double rate, double perExample)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var g = gradient[i] * perExample;
                moment[i] = (Beta1 * moment[i]) + ((1 - Beta1) * g);
                velocity[i] = (Beta2 * velocity[i]) + ((1 - Beta2) * g * g);
                parameters[i] -= rate * moment[i] / (Math.Sqrt(velocity[i]) + AdamEpsilon);
            }
        }
    }
}

/// <summary>Standard normal draws from any generator (Box–Muller, two uniforms per draw, no cached spare).</summary>
internal static class Gaussian
{
    public static double Next(Random random)
    {
        // 1 - u keeps the logarithm finite: NextDouble is in [0, 1).
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
