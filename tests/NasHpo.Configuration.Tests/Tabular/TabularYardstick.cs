using NasHpo.Core.Fidelity;
using NasHpo.Core.Objectives;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Optimizers.Registry;
using NasHpo.Core.Pareto;
using NasHpo.Core.Tabular;
using NasHpo.Core.Workloads;

namespace NasHpo.Configuration.Tests.Tabular;

/// <summary>
/// The search-quality yardstick on a shipped Fashion-MNIST table (the small one unless <see cref="StudyName"/> says
/// which shipped study): an optimizer runs in-process against the
/// table's replay until the next trial would take it past <see cref="Epochs"/>, each trial charged as a study charges
/// it (a promoted trial continues from its parent, so it costs only its new epochs; random search pays 9 per
/// configuration). What counts is what a study reports: the hypervolume of the 9-epoch results, against the study's
/// reference point. Promotion ranks as <see cref="Ranking"/> says (the engine's default unless a test asks for paper
/// 001's). The study seed (which also draws the table's recorded seed per configuration) is the run's seed.
/// </summary>
internal sealed record TabularYardstick(double Epochs, PromotionRanking Ranking = PromotionRanking.HypervolumeGain, string StudyName = TabularYardstick.SmallStudy)
{
    public const string SmallStudy = "fashion-mnist-tabular-small.conf";

    /// <summary>The full table (1 296 configurations), the parameter count on paper 001's log scale.</summary>
    public const string FullStudy = "fashion-mnist-tabular.conf";

    public static readonly long[] Seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    // Tables are read once per test run: the full one takes a moment to parse.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<StudyDefinition>> Studies = new();

    public static StudyDefinition Load(string studyName) =>
        Studies.GetOrAdd(studyName, name => new Lazy<StudyDefinition>(() => StudyDefinitionReader.Load(Path.Combine(AppContext.BaseDirectory, "studies", name), []))).Value;

    public StudyDefinition Definition => Load(StudyName);

    /// <summary>The method's settings (as its <c>ReadSettings</c> returns them); null: its defaults.</summary>
    public object? Settings { get; init; }

    /// <summary>The study seeds of the runs; <see cref="Seeds"/> unless a test needs more.</summary>
    public IReadOnlyList<long> RunSeeds { get; init; } = Seeds;

    public double FinalHypervolume(string method, long seed)
    {
        var study = Definition;
        var table = study.Problem.Tabular!.Table;
        var workload = new TabularWorkload(table, study.Objectives, seed);

        // The engine's view: a log-scale objective's values and reference are log10 of the recorded ones.
        var reference = new ObjectiveSpace(study.Objectives).FromRecorded(study.ReferencePoint);
        var optimizer = OptimizerRegistry.BuiltIn.Create(
            method,
            new OptimizerContext(
                study.Space,
                new HyperbandSettings { MinBudget = study.Optimizer.MinBudget, MaxBudget = study.Optimizer.MaxBudget, Eta = study.Optimizer.Eta, Ranking = Ranking },
                seed)
            {
                Settings = Settings,
                ReferencePoint = reference,
                Objectives = study.Objectives,
                CheapObjectives = configuration => CheapObjectives(workload, study, configuration),
                Limits = new OptimizerLimits(MaxBudgetSpent: Epochs),
            });
        var context = new WorkloadContext("cpu-0", _ => { }, CancellationToken.None);
        var spent = 0.0;
        var atMax = new List<double[]>();
        while (optimizer.Decide() is OptimizerDecision.Run run)
        {
            var request = run.Request;
            var cost = request.Id.Budget - (request.Parent?.Budget ?? 0);
            if (spent + cost > Epochs + 1e-9)
            {
                break;
            }

            optimizer.Apply(request);
            spent += cost;
            TrialResult result;
            try
            {
                var values = workload.Run(request, context).Objectives;
                var minimized = values.Select((v, i) => study.Objectives[i].ToMinimization(v)).ToArray();
                result = TrialResult.Completed(request.Id, minimized);
                if (request.Id.Budget >= study.Optimizer.MaxBudget)
                {
                    atMax.Add(minimized);
                }
            }
            catch (InvalidOperationException diverged)
            {
                result = TrialResult.Failure(request.Id, diverged.Message);
            }

            optimizer.Apply(result);
        }

        return Hypervolume.Compute(atMax, reference);
    }

    /// <summary>
    /// The parameter count and other values known without training, in minimisation space (NaN for the expensive
    /// ones), as the engine hands them to MS-EHVI and BULK & CUT.
    /// </summary>
    private static double[] CheapObjectives(TabularWorkload workload, StudyDefinition study, Core.SearchSpaces.Configuration configuration)
    {
        var cheap = study.Objectives.Where(o => o.Cost == Core.Objectives.ObjectiveCost.Cheap).Select(o => o.Name).ToArray();
        var values = workload.EvaluateCheap(configuration, cheap);
        return study.Objectives.Select(o => values.TryGetValue(o.Name, out var value) && o.Cost == Core.Objectives.ObjectiveCost.Cheap ? o.ToMinimization(value) : double.NaN).ToArray();
    }

    /// <summary>Every seed's final hypervolume, in seed order; the runs are independent and run in parallel.</summary>
    public double[] Hypervolumes(string method)
    {
        var results = new double[RunSeeds.Count];
        Parallel.For(0, RunSeeds.Count, i => results[i] = FinalHypervolume(method, RunSeeds[i]));
        return results;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
