namespace NasHpo.Analysis.Importance;

/// <summary>
/// One cell of the partition a tree induces on the space: per parameter the feature interval (Lower, Upper] of its
/// active values, the tree's value there, and the cell's mass under the space's measure (the product of the
/// intervals' masses).
/// </summary>
internal sealed record LeafBox(double[] Lower, double[] Upper, double Value, double Volume);

/// <summary>
/// Turns a tree into boxes that partition the space, following each split with the box it receives. A split on a
/// conditional parameter is followed by what that parameter is over the box: active (the split cuts its interval),
/// inactive (its imputed feature decides), or active in part, when the box is first cut along the parent where the
/// condition changes, so that every box has one verdict. Boxes of no mass (a split beyond the values a parameter can
/// take) are dropped.
/// </summary>
internal static class TreePartition
{
    public static IReadOnlyList<LeafBox> Boxes(FittedTree tree, SpaceEncoding encoding)
    {
        var lower = Enumerable.Repeat(double.NegativeInfinity, encoding.Dimension).ToArray();
        var upper = Enumerable.Repeat(double.PositiveInfinity, encoding.Dimension).ToArray();
        var boxes = new List<LeafBox>();
        Walk(tree, encoding, tree.Root, lower, upper, boxes);
        return boxes;
    }

    // The box is held in lower/upper, narrowed before each descent and restored after it.
    private static void Walk(FittedTree tree, SpaceEncoding encoding, int node, double[] lower, double[] upper, List<LeafBox> boxes)
    {
        if (node < 0)
        {
            var volume = 1.0;
            for (var i = 0; i < lower.Length; i++)
            {
                volume *= encoding.Axes[i].Mass(lower[i], upper[i]);
            }

            if (volume > 0)
            {
                boxes.Add(new LeafBox([.. lower], [.. upper], tree.LeafValues[~node], volume));
            }

            return;
        }

        var feature = tree.SplitFeature[node];
        var threshold = tree.Threshold[node];
        var activity = Resolve(encoding, feature, lower, upper);
        switch (activity.Kind)
        {
            case ActivityKind.Inactive:
                Walk(tree, encoding, SpaceEncoding.InactiveFeature <= threshold ? tree.LeftChild[node] : tree.RightChild[node], lower, upper, boxes);
                break;
            case ActivityKind.Mixed:
                {
                    // The same node again, on each side of the parent's value where the verdict changes.
                    var parent = activity.Parameter;
                    var (low, high) = (lower[parent], upper[parent]);
                    upper[parent] = activity.At;
                    Walk(tree, encoding, node, lower, upper, boxes);
                    upper[parent] = high;
                    lower[parent] = activity.At;
                    Walk(tree, encoding, node, lower, upper, boxes);
                    lower[parent] = low;
                    break;
                }

            default:
                {
                    var axis = encoding.Axes[feature];
                    var (low, high) = (lower[feature], upper[feature]);
                    var cut = Math.Clamp(threshold, low, high);
                    if (axis.Mass(low, cut) > 0)
                    {
                        upper[feature] = cut;
                        Walk(tree, encoding, tree.LeftChild[node], lower, upper, boxes);
                        upper[feature] = high;
                    }

                    if (axis.Mass(cut, high) > 0)
                    {
                        lower[feature] = cut;
                        Walk(tree, encoding, tree.RightChild[node], lower, upper, boxes);
                        lower[feature] = low;
                    }

                    break;
                }
        }
    }

    /// <summary>Whether the parameter is active over the whole box, over none of it, or where to cut the box so it is one or the other.</summary>
    internal static Activity Resolve(SpaceEncoding encoding, int parameter, double[] lower, double[] upper)
    {
        Activity? mixed = null;
        foreach (var rule in encoding.Rules[parameter])
        {
            var parent = rule.ParentIndex;
            var parentActivity = Resolve(encoding, parent, lower, upper);
            if (parentActivity.Kind == ActivityKind.Inactive)
            {
                return Activity.Inactive;
            }

            if (parentActivity.Kind == ActivityKind.Mixed)
            {
                mixed ??= parentActivity;
                continue;
            }

            var verdict = Verdict(rule, encoding.Axes[parent], lower[parent], upper[parent]);
            if (verdict.Kind == ActivityKind.Inactive)
            {
                return Activity.Inactive;
            }

            if (verdict.Kind == ActivityKind.Mixed)
            {
                mixed ??= verdict;
            }
        }

        return mixed ?? Activity.Active;
    }

    // Whether the rule holds on all of the parent's interval (low, high] that carries mass, on none of it, or changes
    // at a breakpoint with mass on both sides.
    private static Activity Verdict(ActivityRule rule, ParameterAxis axis, double low, double high)
    {
        bool? first = null;
        var firstEnd = double.NaN;
        for (var s = 0; s < rule.Holds.Length; s++)
        {
            var start = Math.Max(low, s == 0 ? double.NegativeInfinity : rule.Breakpoints[s - 1]);
            var end = Math.Min(high, s == rule.Breakpoints.Length ? double.PositiveInfinity : rule.Breakpoints[s]);
            if (axis.Mass(start, end) <= 0)
            {
                continue;
            }

            if (first is null)
            {
                first = rule.Holds[s];
                firstEnd = end;
            }
            else if (rule.Holds[s] != first)
            {
                return Activity.MixedAt(rule.ParentIndex, firstEnd);
            }
        }

        return first == false ? Activity.Inactive : Activity.Active;
    }

    internal enum ActivityKind
    {
        Active,
        Inactive,
        Mixed,
    }

    /// <summary>For Mixed: cut the box along Parameter at At, (.., At] and (At, ..).</summary>
    internal readonly record struct Activity(ActivityKind Kind, int Parameter, double At)
    {
        public static Activity Active => new(ActivityKind.Active, -1, double.NaN);

        public static Activity Inactive => new(ActivityKind.Inactive, -1, double.NaN);

        public static Activity MixedAt(int parameter, double at) => new(ActivityKind.Mixed, parameter, at);
    }
}
