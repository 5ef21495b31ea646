using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.BulkAndCut;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;

namespace NasHpo.Core.Tests.Optimizers;

/// <summary>
/// The yardstick of the search-quality tests: a synthetic problem, a fixed evaluation cost, nine seeds. Cost is
/// counted in full-budget equivalents: a trial at budget b costs b / max-budget, so random search (every trial at
/// the maximum) gets exactly <see cref="Cost"/> evaluations and a multi-fidelity method gets more, cheaper ones.
/// A run stops before the first trial that would take it past the cost, so no method spends more than random
/// search. What counts is what a study reports: the hypervolume of the evaluations at the maximum budget, against
/// the problem's reference point (its bounding box plus 10 %).
/// </summary>
internal sealed record QualityYardstick(SyntheticProblem Problem, double Cost, double MinBudget = 3, double MaxBudget = 27)
{
    /// <summary>
    /// Nine seeds: with five, the comparison hung on which seeds random search happened to get (on DTLZ2 its median
    /// over seeds 1–5 is 19.05, over seeds 1–15 18.78, and MO-BANANAS' five-seed median fell between the two).
    /// </summary>
    public static readonly long[] Seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>10-D ZDT1 (two objectives, reference 1.1, 11), 100 full-budget evaluations, budgets 3 to 27.</summary>
    public static readonly QualityYardstick Zdt1 = new(SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(10)), 100);

    /// <summary>8-D DTLZ2 with three objectives (6 distance variables, reference 2.75 in each), 100 full-budget evaluations, budgets 3 to 27.</summary>
    public static readonly QualityYardstick Dtlz2 = new(SyntheticProblem.Create("dtlz2", new SyntheticProblemOptions(8, 3)), 100);

    public static QualityYardstick Named(string problem) => problem switch
    {
        "zdt1" => Zdt1,
        "dtlz2" => Dtlz2,
        _ => throw new ArgumentException($"no yardstick for {problem}", nameof(problem)),
    };

    /// <summary>
    /// The parameters BULK &amp; CUT's constrained BO chooses, as a study's <c>optimizer.hyperparameters</c>; null leaves
    /// the default (none on a synthetic problem).
    /// </summary>
    public IReadOnlyList<string>? BulkAndCutHyperparameters { get; init; }

    /// <summary>The same problem and cost with every trial at the maximum budget (single-fidelity runs).</summary>
    public QualityYardstick FullBudgetOnly => this with { MinBudget = MaxBudget };

    public HyperbandSettings Budgets => new() { MinBudget = MinBudget, MaxBudget = MaxBudget, Eta = 3 };

    /// <summary>
    /// The optimizer as a study builds it (the study's reference point and objectives included), except the candidate
    /// pools of MS-EHVI (100 random and 100 perturbed candidates and 32 Monte-Carlo samples instead of 500, 500 and
    /// 128) and of BULK &amp; CUT's constrained BO (64 and 64 instead of 128 and 128), so that the three-objective runs
    /// take seconds rather than a minute.
    /// </summary>
    public IOptimizer Create(string optimizer, long seed) => optimizer switch
    {
        "ms-ehvi" => new MsEhviOptimizer(
            Problem.Space,
            new MsEhviSettings
            {
                MaxBudget = MaxBudget,
                ReferencePoint = Problem.ReferencePoint,
                Objectives = Problem.Objectives,
                RandomCandidates = 100,
                LocalCandidates = 100,
                MonteCarloSamples = 32,
            },
            seed),
        // BULK & CUT's phases are shares of the study's evaluation limit; every trial runs at the full budget. As in a
        // study of a synthetic problem, it is not told which variables are distance variables (no other method is): with
        // no network parameters in the space, constrained BO chooses none and the morphisms' steps move every variable.
        // Its candidate pool is halved (64 random, 64 perturbed) and Monte Carlo uses 32 samples, as above.
        "bulk-and-cut" => new BulkAndCutOptimizer(
            Problem.Space,
            new BulkAndCutSettings
            {
                Budget = MaxBudget,
                MaxEvaluations = (long)Cost,
                Hyperparameters = BulkAndCutHyperparameters,
                ReferencePoint = Problem.ReferencePoint,
                Objectives = Problem.Objectives,
                RandomCandidates = 64,
                LocalCandidates = 64,
                MonteCarloSamples = 32,
            },
            seed),
        _ => Methods.Create(optimizer, Problem.Space, Budgets, seed, referencePoint: Problem.ReferencePoint, objectives: Problem.Objectives),
    };

    public double FinalHypervolume(string optimizer, long seed) => FinalHypervolume(Create(optimizer, seed));

    public double FinalHypervolume(IOptimizer instance)
    {
        var spent = 0.0;
        var atMax = new List<double[]>();
        while (instance.Decide() is OptimizerDecision.Run run)
        {
            var cost = run.Request.Id.Budget / MaxBudget;
            if (spent + cost > Cost + 1e-9)
            {
                break;
            }

            instance.Apply(run.Request);
            spent += cost;
            var objectives = Problem.Evaluate(run.Request.Configuration, run.Request.Id.Budget, MaxBudget);
            instance.Apply(TrialResult.Completed(run.Request.Id, objectives));
            if (run.Request.Id.Budget == MaxBudget)
            {
                atMax.Add(objectives);
            }
        }

        return Hypervolume.Compute(atMax, Problem.ReferencePoint);
    }

    /// <summary>The final hypervolume of every seed, in seed order; the seeds run in parallel (each run is independent and deterministic).</summary>
    public double[] Hypervolumes(string optimizer)
    {
        var results = new double[Seeds.Length];
        Parallel.For(0, Seeds.Length, i => results[i] = FinalHypervolume(optimizer, Seeds[i]));
        return results;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
