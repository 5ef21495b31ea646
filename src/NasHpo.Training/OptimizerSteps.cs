using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasHpo.Training;

/// <summary>
/// The update of TorchSharp's Adam and SGD, computed as TorchSharp 0.107's own <c>step()</c> computes it (the same
/// libtorch operations on the same values in the same order, so the very same weights), except that every
/// <see cref="Scalar"/> handed to libtorch stays alive until the call that reads it has returned. The optimizer object
/// still holds the state, so checkpoints keep their format.
/// </summary>
/// <remarks>
/// TorchSharp's <c>step()</c> turns each double it passes (β, 1 − β, ε, −lr / (1 − β₁ᵗ)) into a Scalar by an implicit
/// conversion and never disposes it: the Scalar owns a native pointer that its finalizer frees. Once the native call
/// has the pointer, nothing managed refers to the Scalar any more, so a garbage collection triggered by another
/// thread (a second training worker allocating) may finalize it while libtorch is still inside the call, which then
/// reads freed memory. Two workers training the tabular benchmark met it after hours as "Expected false to be true,
/// but got false" from Scalar::toFloat under addcdiv_ (the freed Scalar's type tag was garbage); had the memory been
/// taken by another Scalar in the meantime, the update would silently have used that one's value. Here each Scalar is
/// disposed explicitly after its call, which also keeps it reachable until then; only overloads that take every
/// Scalar as an argument are called (TorchSharp's shorter ones make their defaults, such as an alpha of 1, the same
/// unreachable way).
/// </remarks>
internal static class OptimizerSteps
{
    /// <summary>One Adam update of every parameter that has a gradient (TorchSharp's <c>Adam.step()</c>).</summary>
    public static void Step(Adam optimizer)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (options, members) in Groups<Adam.Options, Adam.State>(optimizer))
        {
            var beta1 = options.beta1!.Value;
            var beta2 = options.beta2!.Value;
            var weightDecay = options.weight_decay!.Value;
            var learningRate = options.LearningRate!.Value;
            using var beta1Scalar = beta1.ToScalar();
            using var oneMinusBeta1 = (1 - beta1).ToScalar();
            using var beta2Scalar = beta2.ToScalar();
            using var oneMinusBeta2 = (1 - beta2).ToScalar();
            using var eps = options.eps!.Value.ToScalar();
            using var decay = weightDecay.ToScalar();
            // add_(Scalar) would make its alpha of 1 the same way, out of reach: it is passed explicitly.
            using var one = 1.ToScalar();
            foreach (var (parameter, state) in members)
            {
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (options.maximize!.Value)
                {
                    grad = -grad;
                }

                state.step += 1;
                var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, alpha: decay);
                }

                state.exp_avg.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), value: oneMinusBeta2);
                var squares = state.exp_avg_sq;
                if (options.amsgrad!.Value)
                {
                    var previous = state.max_exp_avg_sq;
                    state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                    previous.Dispose();
                    squares = state.max_exp_avg_sq;
                }

                using var rootOfCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
                var denominator = squares.sqrt().div(rootOfCorrection2).add_(eps, one);
                using var stepSize = (-(learningRate / biasCorrection1)).ToScalar();
                parameter.addcdiv_(state.exp_avg, denominator, value: stepSize);
            }
        }
    }

    /// <summary>One SGD update of every parameter that has a gradient (TorchSharp's <c>SGD.step()</c>).</summary>
    public static void Step(SGD optimizer)
    {
        using var gradients = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (options, members) in Groups<SGD.Options, SGD.State>(optimizer))
        {
            var momentum = options.momentum!.Value;
            var weightDecay = options.weight_decay!.Value;
            var learningRate = options.LearningRate!.Value;
            using var momentumScalar = momentum.ToScalar();
            using var oneMinusDampening = (1 - options.dampening!.Value).ToScalar();
            using var decay = weightDecay.ToScalar();
            using var alpha = (options.maximize!.Value ? learningRate : -learningRate).ToScalar();
            foreach (var (parameter, state) in members)
            {
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, alpha: decay);
                }

                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                    {
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                        state.momentum_buffer = buffer;
                    }
                    else
                    {
                        buffer.mul_(momentumScalar).add_(grad, alpha: oneMinusDampening);
                    }

                    grad = options.nesterov!.Value ? grad.add(buffer, alpha: momentumScalar) : buffer;
                }

                parameter.add_(grad, alpha: alpha);
            }
        }
    }

    /// <summary>The optimizer's parameter groups: each one's options, and each parameter with its state.</summary>
    private static List<(TOptions Options, List<(Parameter Parameter, TState State)> Members)> Groups<TOptions, TState>(OptimizerHelper optimizer)
        where TOptions : OptimizerOptions
        where TState : OptimizerState
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        // state_dict lists the states group by group, in each group's parameter order.
        var states = optimizer.state_dict().State;
        var groups = new List<(TOptions, List<(Parameter, TState)>)>();
        var index = 0;
        foreach (var group in optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>())
        {
            var members = new List<(Parameter, TState)>();
            foreach (var parameter in group.Parameters)
            {
                members.Add((parameter, (TState)states[index++]));
            }

            groups.Add(((TOptions)group.Options, members));
        }

        return groups;
    }
}
