using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Optimizers.Registry;

/// <summary>
/// One optimization method as a study names it (<c>study.optimizer.type</c>): its name, the settings keys it accepts
/// beyond the common ones, whether it promotes along successive-halving rungs, how it reads its settings and how it
/// builds its optimizer. A new method is one subclass and one line in <see cref="OptimizerRegistry.BuiltIn"/> (or
/// <see cref="OptimizerRegistry.With"/> for a method of one's own): the readers, the engine and <c>compare</c> find it
/// there.
/// </summary>
internal abstract class OptimizerMethod
{
    /// <summary>The name a study gives in <c>study.optimizer.type</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The method's own keys under <c>study.optimizer</c>, beyond the keys every method accepts.</summary>
    public virtual IReadOnlyList<string> Keys => [];

    /// <summary>
    /// Whether the method moves configurations up successive-halving rungs, so that
    /// <see cref="HyperbandSettings.Promotion"/> can make it asynchronous.
    /// </summary>
    public virtual bool PromotesAlongRungs => false;

    /// <summary>
    /// Reads the method's own settings (only <see cref="Keys"/> can be present; an absent key takes its default).
    /// Null means "the defaults"; whatever is returned comes back as <see cref="OptimizerContext.Settings"/>.
    /// </summary>
    public virtual object? ReadSettings(IOptimizerSettingsReader reader) => null;

    /// <summary>
    /// What is wrong with <paramref name="settings"/> in <paramref name="space"/> (a key naming a parameter the space
    /// lacks, say), as (key, problem) pairs; the study reader refuses the first in one line.
    /// </summary>
    public virtual IEnumerable<(string Key, string Problem)> Check(object? settings, SearchSpace space) => [];

    /// <summary>Builds a fresh optimizer; the engine calls it at a study's start and at every restart.</summary>
    public abstract IOptimizer Create(OptimizerContext context);
}

/// <summary>A method with a settings record of its own; null settings take <see cref="Defaults"/>.</summary>
internal abstract class OptimizerMethod<TSettings> : OptimizerMethod
    where TSettings : class
{
    /// <summary>The settings a study gets for the keys it leaves out.</summary>
    public abstract TSettings Defaults { get; }

    public sealed override object? ReadSettings(IOptimizerSettingsReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(reader, Defaults);
    }

    public sealed override IOptimizer Create(OptimizerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = context.Settings switch
        {
            null => Defaults,
            TSettings own => own,
            var other => throw new ArgumentException($"{Name} takes {typeof(TSettings).Name}, not {other.GetType().Name}", nameof(context)),
        };
        return Create(context, settings);
    }

    /// <summary>Reads the method's keys, each defaulting to <paramref name="defaults"/>.</summary>
    protected abstract TSettings Read(IOptimizerSettingsReader reader, TSettings defaults);

    protected abstract IOptimizer Create(OptimizerContext context, TSettings settings);
}
