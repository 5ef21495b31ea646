using NasHpo.Configuration;
using NasHpo.Core.Problems;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Workloads;

/// <summary>Turns a study's <c>study.problem</c> into the workload its trials run.</summary>
public static class WorkloadCatalog
{
    public static IWorkload Create(StudyDefinition definition)
    {
        var problem = definition.Problem;
        var synthetic = SyntheticProblem.Create(
            problem.Type,
            new SyntheticProblemOptions(problem.Dimensions, problem.Objectives, problem.Delay, problem.NoiseScale));
        return new SyntheticWorkload(synthetic, definition.Optimizer.MaxBudget);
    }
}
