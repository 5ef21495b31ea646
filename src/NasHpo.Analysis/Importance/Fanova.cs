using NasHpo.Core.SearchSpaces;

namespace NasHpo.Analysis.Importance;

/// <summary>One configuration and its scalar objective value at one budget: a row fANOVA learns from.</summary>
internal sealed record ScoredConfiguration(Core.SearchSpaces.Configuration Configuration, double Value);

/// <summary>How the forest is grown and how much of the decomposition is computed.</summary>
/// <remarks>
/// The defaults follow the fANOVA reference implementation where ML.NET allows it: fully grown trees (one row per leaf
/// at least), 70 % of the parameters to choose from at each split; twice its 16 trees, because small studies give
/// noisy trees and the spread over trees is reported.
/// </remarks>
internal sealed record FanovaOptions
{
    public int TreeCount { get; init; } = 32;

    /// <summary>The fewest rows a leaf may hold; raise it on noisy objectives so the trees fit less of the noise.</summary>
    public int MinimumSamplesPerLeaf { get; init; } = 1;

    /// <summary>The share of the parameters each split may choose from, in (0, 1].</summary>
    public double FeatureFractionPerSplit { get; init; } = 0.7;

    /// <summary>The share of the rows each tree is fitted to, drawn afresh per tree, in (0, 1].</summary>
    public double SampleFractionPerTree { get; init; } = 0.7;

    public int Seed { get; init; }

    /// <summary>How many of the most important parameters get their pairwise interactions computed; 0 for none.</summary>
    public int PairwiseTopParameters { get; init; }
}

/// <summary>
/// A parameter's individual importance: the fraction of the forest's variance its main effect explains, as the mean
/// over trees (trees of zero variance left out) with the standard deviation over those trees (population form, as the
/// fANOVA reference reports it).
/// </summary>
internal sealed record ParameterImportance(string Parameter, double Importance, double StandardDeviation);

/// <summary>The fraction of the forest's variance explained by the interaction of two parameters alone (main effects excluded).</summary>
internal sealed record PairImportance(string First, string Second, double Importance, double StandardDeviation);

/// <summary>
/// fANOVA's answer for one set of rows. <paramref name="Parameters"/> is in the space's order; <paramref name="Pairs"/>
/// (empty unless asked for) is by importance, highest first. When <paramref name="TreesWithVariance"/> is 0 the
/// objective did not vary where the trees could see, nothing is explained, and every importance is 0.
/// </summary>
internal sealed record FanovaResult(int Samples, int TreesWithVariance, IReadOnlyList<ParameterImportance> Parameters, IReadOnlyList<PairImportance> Pairs);

/// <summary>
/// Parameter importance by functional ANOVA on a random forest (Hutter, Hoos and Leyton-Brown 2014), as paper 000
/// (BOHB, Falkner et al. 2018) applies it to the trials of each budget: how much of the objective's variance over the
/// search space each parameter explains on its own, and optionally each pair of the most important ones together.
/// </summary>
/// <remarks>
/// The forest is ML.NET's FastForest on the space's unit-cube encoding, inactive parameters imputed with -1; the
/// measure is the space's own sampling distribution (SpaceEncoding says why). Each tree is decomposed exactly on the
/// boxes it partitions the space into. Given the same rows, options and seed the result is the same.
/// </remarks>
internal static class Fanova
{
    /// <summary>
    /// Fits the forest to the rows and decomposes it. Throws ArgumentException for fewer than 2 rows or a non-finite
    /// value, and SearchSpaceException for a configuration that does not fit the space.
    /// </summary>
    public static FanovaResult Analyse(SearchSpace space, IReadOnlyList<ScoredConfiguration> rows, FanovaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new FanovaOptions();
        Validate(space, rows, options);

        var encoding = SpaceEncoding.For(space);
        var features = rows.Select(r => encoding.Features(r.Configuration)).ToArray();
        var trees = RegressionForest.Fit(features, Standardised(rows), options)
            .Select(tree => new TreeDecomposition(TreePartition.Boxes(tree, encoding), encoding))
            .Where(tree => tree.TotalVariance > 0)
            .ToArray();

        var names = space.Parameters.Select(p => p.Name).ToArray();
        var parameters = names
            .Select((name, i) => Summarise(trees, tree => tree.MainEffect(i), (mean, std) => new ParameterImportance(name, mean, std)))
            .ToArray();
        var top = Enumerable.Range(0, names.Length)
            .OrderByDescending(i => parameters[i].Importance)
            .ThenBy(i => i)
            .Take(options.PairwiseTopParameters)
            .Order()
            .ToArray();
        var pairs = top
            .SelectMany((first, k) => top.Skip(k + 1).Select(second => Summarise(
                trees, tree => tree.Interaction(first, second), (mean, std) => new PairImportance(names[first], names[second], mean, std))))
            .OrderByDescending(p => p.Importance)
            .ToArray();
        return new FanovaResult(rows.Count, trees.Length, parameters, pairs);
    }

    private static void Validate(SearchSpace space, IReadOnlyList<ScoredConfiguration> rows, FanovaOptions options)
    {
        if (space.Dimension == 0)
        {
            throw new ArgumentException("the search space has no parameters", nameof(space));
        }

        if (rows.Count < 2)
        {
            throw new ArgumentException($"fANOVA needs at least 2 rows, got {rows.Count}", nameof(rows));
        }

        if (rows.Any(r => r is null || r.Configuration is null || !double.IsFinite(r.Value)))
        {
            throw new ArgumentException("every row needs a configuration and a finite value", nameof(rows));
        }

        if (options.TreeCount < 1 || options.MinimumSamplesPerLeaf < 1 || options.PairwiseTopParameters < 0
            || options.FeatureFractionPerSplit is not (> 0 and <= 1) || options.SampleFractionPerTree is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "tree count and leaf minimum must be at least 1, fractions in (0, 1], the pair count not negative");
        }
    }

    // Importances are fractions of variance and do not change under an affine map of the values; centring and scaling
    // keeps objectives of any magnitude (latencies in microseconds, say) well inside the forest's float labels.
    private static double[] Standardised(IReadOnlyList<ScoredConfiguration> rows)
    {
        var mean = rows.Average(r => r.Value);
        var spread = Math.Sqrt(rows.Average(r => (r.Value - mean) * (r.Value - mean)));
        return [.. rows.Select(r => spread > 0 ? (r.Value - mean) / spread : 0.0)];
    }

    private static T Summarise<T>(TreeDecomposition[] trees, Func<TreeDecomposition, double> effect, Func<double, double, T> make)
    {
        if (trees.Length == 0)
        {
            return make(0.0, 0.0);
        }

        var fractions = trees.Select(tree => effect(tree) / tree.TotalVariance).ToArray();
        var mean = fractions.Average();
        var deviation = Math.Sqrt(fractions.Average(f => (f - mean) * (f - mean)));
        return make(mean, deviation);
    }
}
