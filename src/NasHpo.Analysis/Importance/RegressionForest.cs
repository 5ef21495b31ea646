using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace NasHpo.Analysis.Importance;

/// <summary>
/// One fitted regression tree, as ML.NET exposes it: node n sends x to LeftChild[n] when x[SplitFeature[n]] &lt;=
/// Threshold[n], else to RightChild[n]; a child k &gt;= 0 is a node, ~k (negative) is leaf k, worth LeafValues[k].
/// </summary>
internal sealed record FittedTree(int[] SplitFeature, double[] Threshold, int[] LeftChild, int[] RightChild, double[] LeafValues)
{
    /// <summary>A tree that never split is leaf 0 alone.</summary>
    public int Root => SplitFeature.Length == 0 ? ~0 : 0;
}

/// <summary>
/// The random forest fANOVA decomposes: ML.NET's FastForest, a maintained random forest whose fitted trees can be read
/// (thresholds, children, leaf values), which is all the decomposition needs. It runs managed on Linux x64 with its
/// bundled native helper and fits 20 to 200 rows when the leaf minimum is set low (its default, 10, would leave
/// such data a handful of leaves).
/// </summary>
internal static class RegressionForest
{
    public static IReadOnlyList<FittedTree> Fit(IReadOnlyList<float[]> features, IReadOnlyList<double> labels, FanovaOptions options)
    {
        var dimension = features[0].Length;
        var context = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(ForestRow));
        schema[nameof(ForestRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        var rows = features.Select((row, i) => new ForestRow { Features = row, Label = (float)labels[i] }).ToArray();
        var data = context.Data.LoadFromEnumerable(rows, schema);
        var trainer = context.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
        {
            NumberOfTrees = options.TreeCount,
            // Trees grow until the leaf minimum stops them, as the fANOVA reference's forest does (no leaf cap).
            NumberOfLeaves = Math.Max(2, rows.Length),
            MinimumExampleCountPerLeaf = options.MinimumSamplesPerLeaf,
            // Every tree sees every parameter: one that never saw a parameter would call it unimportant. The forest's
            // randomness comes from the rows each tree draws and the features each split may choose from.
            FeatureFraction = 1.0,
            FeatureFractionPerSplit = options.FeatureFractionPerSplit,
            BaggingSize = 1,
            BaggingExampleFraction = options.SampleFractionPerTree,
            // One bin per distinct value, so thresholds fall between the observed values and not between bins.
            MaximumBinCountPerFeature = Math.Max(255, rows.Length + 1),
            // One thread and fixed seeds: the same trials give the same forest, run after run.
            NumberOfThreads = 1,
            Seed = options.Seed,
            FeatureSelectionSeed = options.Seed,
        });
        var ensemble = trainer.Fit(data).Model.TrainedTreeEnsemble;
        return [.. ensemble.Trees.Select(tree => new FittedTree(
            [.. tree.NumericalSplitFeatureIndexes],
            [.. tree.NumericalSplitThresholds.Select(t => (double)t)],
            [.. tree.LeftChild],
            [.. tree.RightChild],
            [.. tree.LeafValues]))];
    }

    // ML.NET reads rows through public properties; the vector's length is set in the schema at fit time.
    internal sealed class ForestRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
