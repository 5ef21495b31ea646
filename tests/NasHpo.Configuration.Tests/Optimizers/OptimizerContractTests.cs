using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Problems;

namespace NasHpo.Configuration.Tests.Optimizers;

/// <summary>
/// The contract the engine relies on, checked for every registered method (the built-in ones and a toy added from
/// outside): decisions are a pure function of the facts applied (a replay rebuilds the same optimizer), applying a
/// fact twice changes nothing, a result for a trial never asked is refused and changes nothing, and a study resumed from its facts
/// goes on exactly as an uninterrupted one. These are what event sourcing needs; a method that breaks one would run
/// trials twice, or differently, after a crash.
/// </summary>
public sealed class OptimizerContractTests
{
    /// <summary>The built-in methods and the toy; adding a method to <see cref="OptimizerRegistry.BuiltIn"/> adds it here.</summary>
    internal static OptimizerRegistry Registry { get; } = OptimizerRegistry.BuiltIn.With(new ToyWalkMethod());

    public static TheoryData<string> Methods => [.. Registry.Names];

    private static readonly SyntheticProblem Problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(4, 2, TimeSpan.Zero, 0));

    /// <summary>Trials a run asks for; enough to reach model-based proposals and a second Hyperband bracket.</summary>
    private const int Trials = 24;

    private static IOptimizer Create(string name) =>
        Registry.Create(name, new OptimizerContext(Problem.Space, new HyperbandSettings { MinBudget = 1, MaxBudget = 9, Eta = 3 }, Seed: 5)
        {
            ReferencePoint = Problem.ReferencePoint,
            Objectives = Problem.Objectives,
            Limits = new OptimizerLimits(MaxEvaluations: 40),
        });

    [Theory]
    [MemberData(nameof(Methods))]
    public void Two_optimizers_given_the_same_facts_decide_the_same(string name)
    {
        var first = Drive(Create(name), Trials);
        var second = Drive(Create(name), Trials);

        Assert.Equal(first.Select(Show), second.Select(Show));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_replay_of_the_facts_rebuilds_the_optimizer_and_a_resume_goes_on_as_if_uninterrupted(string name)
    {
        var uninterrupted = Drive(Create(name), Trials);

        // Killed after a third of the facts, some trials out: a fresh optimizer is given the facts so far, then goes on.
        var journal = uninterrupted.Take(uninterrupted.Count / 3).ToList();
        var resumed = Create(name);
        Replay(resumed, journal);
        var continued = Drive(resumed, Trials, journal);

        Assert.Equal(uninterrupted.Select(Show), continued.Select(Show));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Applying_every_fact_twice_changes_nothing(string name)
    {
        var facts = Drive(Create(name), Trials).Take(Trials).ToList();
        var once = Create(name);
        var twice = Create(name);
        Replay(once, facts);
        foreach (var fact in facts)
        {
            Apply(twice, fact);
            Apply(twice, fact);
        }

        Assert.Equal(Show(once.Decide()), Show(twice.Decide()));
        Assert.Equal(once.OpenBracketIds.Order(), twice.OpenBracketIds.Order());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_result_for_a_trial_never_asked_is_refused_and_changes_nothing(string name)
    {
        var facts = Drive(Create(name), Trials).Take(Trials).ToList();
        var clean = Create(name);
        var told = Create(name);
        Replay(clean, facts);
        Replay(told, facts);

        // Refused loudly: the engine only tells what it asked, so such a result is a bug upstream, not data.
        Assert.Throws<InvalidOperationException>(() => told.Apply(TrialResult.Completed(new TrialId(1_000_000, 9), [0.0, 0.0])));
        Assert.Throws<InvalidOperationException>(() => told.Apply(TrialResult.Failure(new TrialId(1_000_001, 1), "never asked")));

        Assert.Equal(Show(clean.Decide()), Show(told.Decide()));
    }

    /// <summary>
    /// Runs the optimizer as the engine does, with up to three trials out at once: ask while it proposes and fewer than
    /// three are out, otherwise tell the oldest, until <paramref name="trials"/> were asked and told. Returns every fact
    /// in the order applied, starting with <paramref name="before"/> (facts the optimizer was already given).
    /// </summary>
    private static List<object> Drive(IOptimizer optimizer, int trials, IReadOnlyList<object>? before = null)
    {
        var facts = new List<object>(before ?? []);
        var outstanding = new Queue<TrialRequest>(OutstandingOf(facts));
        var asked = facts.Count(f => f is TrialRequest);
        while (true)
        {
            var decision = outstanding.Count < 3 && asked < trials ? optimizer.Decide() : OptimizerDecision.WaitForResults;
            if (decision is OptimizerDecision.Run run)
            {
                optimizer.Apply(run.Request);
                facts.Add(run.Request);
                outstanding.Enqueue(run.Request);
                asked++;
            }
            else if (outstanding.Count > 0)
            {
                var request = outstanding.Dequeue();
                var result = TrialResult.Completed(request.Id, Problem.Evaluate(request.Configuration, request.Id.Budget, 9));
                optimizer.Apply(result);
                facts.Add(result);
            }
            else
            {
                return facts;
            }
        }
    }

    private static IEnumerable<TrialRequest> OutstandingOf(IReadOnlyList<object> facts)
    {
        var told = facts.OfType<TrialResult>().Select(r => r.Id).ToHashSet();
        return facts.OfType<TrialRequest>().Where(r => !told.Contains(r.Id));
    }

    private static void Replay(IOptimizer optimizer, IEnumerable<object> facts)
    {
        foreach (var fact in facts)
        {
            Apply(optimizer, fact);
        }
    }

    private static void Apply(IOptimizer optimizer, object fact)
    {
        switch (fact)
        {
            case TrialRequest request:
                optimizer.Apply(request);
                break;
            case TrialResult result:
                optimizer.Apply(result);
                break;
        }
    }

    private static string Show(object fact) => fact switch
    {
        TrialRequest r => $"ask {r.Id} bracket {r.Bracket} rung {r.Rung} parent {r.Parent} lineage {r.Lineage?.Operation} {r.Configuration}",
        TrialResult r => $"tell {r.Id} {string.Join(" ", r.Objectives ?? [])}",
        OptimizerDecision.Run run => Show(run.Request),
        _ => fact.ToString() ?? string.Empty,
    };
}
