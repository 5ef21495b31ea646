using NasHpo.Core.Optimizers.Methods;

namespace NasHpo.Core.Optimizers.Registry;

/// <summary>
/// The methods a study can name. <see cref="BuiltIn"/> holds paper 000's and paper 001's methods; a program adds its
/// own with <see cref="With"/> (a registry is immutable, so two studies in one process never see each other's methods).
/// </summary>
internal sealed class OptimizerRegistry
{
    private readonly OptimizerMethod[] _methods;

    private OptimizerRegistry(OptimizerMethod[] methods) => _methods = methods;

    /// <summary>The built-in methods, in the order the documentation and <c>compare</c> list them.</summary>
    public static OptimizerRegistry BuiltIn { get; } = new(
    [
        new RandomSearchMethod(),
        new HyperbandMethod(),
        new BohbMethod(),
        new MoBohbMethod(),
        new ShEmoaMethod(),
        new MsEhviMethod(),
        new BulkAndCutMethod(),
        new MoBananasMethod(),
    ]);

    public IReadOnlyList<OptimizerMethod> Methods => _methods;

    public IReadOnlyList<string> Names => _methods.Select(m => m.Name).ToArray();

    /// <summary>This registry and <paramref name="method"/>; its name must be new.</summary>
    public OptimizerRegistry With(OptimizerMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (string.IsNullOrWhiteSpace(method.Name))
        {
            throw new ArgumentException("a method needs a name", nameof(method));
        }

        return TryFind(method.Name) is null
            ? new OptimizerRegistry([.. _methods, method])
            : throw new ArgumentException($"a method named \"{method.Name}\" is already registered", nameof(method));
    }

    public OptimizerMethod? TryFind(string name) => _methods.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The method named <paramref name="name"/>; an unknown name is an error that lists the known ones.</summary>
    public OptimizerMethod Find(string name) =>
        TryFind(name) ?? throw new ArgumentException($"unknown optimizer \"{name}\" (expected one of: {string.Join(", ", Names)})", nameof(name));

    public IOptimizer Create(string name, OptimizerContext context) => Find(name).Create(context);
}
