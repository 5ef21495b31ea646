using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.SearchSpaces;
using SearchConfiguration = NasHpo.Core.SearchSpaces.Configuration;

namespace NasHpo.Configuration.Tests.Optimizers;

/// <summary>A toy method's settings: how far (in the unit cube) each step moves from the best configuration so far.</summary>
internal sealed record ToyWalkSettings(double Step);

/// <summary>
/// A method added from outside the engine, to show (and test) what adding one takes: this class and one
/// registration line (<c>OptimizerRegistry.BuiltIn.With(new ToyWalkMethod())</c>). Nothing else is touched: the
/// study reader accepts its type and keys, refuses other methods' keys, and the contract suite runs over it.
/// </summary>
internal sealed class ToyWalkMethod : OptimizerMethod<ToyWalkSettings>
{
    public override string Name => "toy-walk";

    public override IReadOnlyList<string> Keys { get; } = ["step"];

    public override ToyWalkSettings Defaults { get; } = new(0.1);

    protected override ToyWalkSettings Read(IOptimizerSettingsReader reader, ToyWalkSettings defaults) =>
        new(reader.ReadDouble("step", defaults.Step, minimum: 1e-6, maximum: 1));

    protected override IOptimizer Create(OptimizerContext context, ToyWalkSettings settings) =>
        new ToyWalkOptimizer(context.Space, context.Budgets.MaxBudget, settings.Step, context.Seed);
}

/// <summary>
/// A greedy walk at the maximum budget, one trial at a time: the first configuration is drawn at random, each next
/// one is the best completed so far (first objective) moved by a seeded Gaussian step. Decide is pure (its randomness
/// comes from the seed and the configuration's id); Apply ignores a fact it has seen and refuses a result it never asked for.
/// </summary>
internal sealed class ToyWalkOptimizer(SearchSpace space, double budget, double step, long seed) : IOptimizer
{
    private readonly List<(SearchConfiguration Configuration, double Value)> _completed = [];
    private readonly HashSet<long> _asked = [];
    private readonly HashSet<long> _told = [];
    private readonly Dictionary<long, SearchConfiguration> _configurations = [];
    private long _next;

    public IReadOnlyCollection<long> OpenBracketIds => _asked.Except(_told).ToArray();

    public OptimizerDecision Decide()
    {
        if (_asked.Count > _told.Count)
        {
            return OptimizerDecision.WaitForResults;
        }

        var random = new Random(HashCode.Combine(seed, _next));
        SearchConfiguration configuration;
        if (_completed.Count == 0)
        {
            configuration = space.Sample(random);
        }
        else
        {
            var best = _completed.MinBy(c => c.Value).Configuration;
            var encoded = space.Encode(best);
            for (var i = 0; i < encoded.Length; i++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                encoded[i] = Math.Clamp(encoded[i] + (step * gaussian), 0, 1);
            }

            configuration = space.Decode(encoded);
        }

        return new OptimizerDecision.Run(new TrialRequest(new TrialId(_next, budget), configuration, _next, 0, null));
    }

    public void Apply(TrialRequest scheduled)
    {
        if (_asked.Add(scheduled.Id.ConfigurationId))
        {
            _next = Math.Max(_next, scheduled.Id.ConfigurationId + 1);
            _configurations[scheduled.Id.ConfigurationId] = scheduled.Configuration;
        }
    }

    public void Apply(TrialResult result)
    {
        var id = result.Id.ConfigurationId;
        if (!_asked.Contains(id))
        {
            throw new InvalidOperationException($"result for {result.Id}, which was never scheduled");
        }

        if (!_told.Add(id))
        {
            return;
        }

        if (result.Objectives is { Count: > 0 } objectives && double.IsFinite(objectives[0]))
        {
            _completed.Add((_configurations[id], objectives[0]));
        }
    }
}
