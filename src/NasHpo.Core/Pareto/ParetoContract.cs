// CONTRACT STUB (to be replaced by the implementation): the public surface other parts of the project code against.
// All points are in minimisation space; a point is a double[] with one value per objective.
namespace NasHpo.Core.Pareto;

public static class Dominance
{
    /// <summary>a dominates b: no worse in every objective, strictly better in one.</summary>
    public static bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
}

public static class NonDominatedSorting
{
    /// <summary>Fronts F1..Fk as arrays of indices into points (each front in ascending index order).</summary>
    public static int[][] Sort(IReadOnlyList<double[]> points) => throw new NotImplementedException();

    /// <summary>Indices of the non-dominated points, in ascending index order.</summary>
    public static int[] FirstFront(IReadOnlyList<double[]> points) => throw new NotImplementedException();
}

public static class CrowdingDistance
{
    /// <summary>Crowding distance of each member of a front (aligned with front); boundary points get +inf.</summary>
    public static double[] Compute(IReadOnlyList<double[]> points, IReadOnlyList<int> front) => throw new NotImplementedException();
}

public static class Hypervolume
{
    /// <summary>Exact hypervolume dominated by points and bounded by reference; points not strictly better than the reference in every objective contribute nothing.</summary>
    public static double Compute(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference) => throw new NotImplementedException();

    /// <summary>Exclusive contribution of every point (aligned with points); dominated or duplicated points contribute 0.</summary>
    public static double[] Contributions(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference) => throw new NotImplementedException();
}

public static class HypervolumeSubsetSelection
{
    /// <summary>Greedy HSSP: removes the least contributor one at a time until k points remain; returns the kept indices ascending.</summary>
    public static int[] SelectGreedy(IReadOnlyList<double[]> points, int k, ReadOnlySpan<double> reference) => throw new NotImplementedException();
}

public static class ExpectedHypervolumeImprovement
{
    /// <summary>Exact EHVI for two objectives with independent Gaussian predictions (mean, standard deviation per objective).</summary>
    public static double Exact2D(IReadOnlyList<double[]> front, ReadOnlySpan<double> reference, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation) => throw new NotImplementedException();

    /// <summary>Monte-Carlo EHVI for any number of objectives.</summary>
    public static double MonteCarlo(IReadOnlyList<double[]> front, ReadOnlySpan<double> reference, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation, int samples, Random random) => throw new NotImplementedException();
}
