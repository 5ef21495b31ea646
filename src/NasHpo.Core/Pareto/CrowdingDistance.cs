namespace NasHpo.Core.Pareto;

/// <summary>NSGA-II crowding distance (Deb et al. 2002).</summary>
internal static class CrowdingDistance
{
    /// <summary>Crowding distance of each member of a front (aligned with front); boundary points get +inf.</summary>
    /// <remarks>
    /// Each objective adds the gap between a member's two neighbours divided by the objective's range over the front.
    /// An objective on which the whole front is equal carries no information and adds nothing, not even the
    /// infinite boundary values. Fronts of at most two points are all boundary. Equal values keep front order.
    /// </remarks>
    public static double[] Compute(IReadOnlyList<double[]> points, IReadOnlyList<int> front)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(front);
        var size = front.Count;
        var distance = new double[size];
        if (size == 0)
        {
            return distance;
        }

        var members = new double[size][];
        for (var m = 0; m < size; m++)
        {
            var index = front[m];
            if ((uint)index >= (uint)points.Count)
            {
                throw new ArgumentException($"Front member {m} is index {index}, outside the {points.Count} points.", nameof(front));
            }

            members[m] = points[index];
        }

        var dimension = ParetoInput.CommonDimension(members, nameof(points));
        if (size <= 2)
        {
            Array.Fill(distance, double.PositiveInfinity);
            return distance;
        }

        var values = new double[size];
        var order = new int[size];
        for (var j = 0; j < dimension; j++)
        {
            for (var m = 0; m < size; m++)
            {
                values[m] = members[m][j];
                order[m] = m;
            }

            // A stable sort keeps ties in front order, so the result does not depend on the sort's internals.
            Array.Sort(order, (a, b) =>
            {
                var c = values[a].CompareTo(values[b]);
                return c != 0 ? c : a.CompareTo(b);
            });
            var low = values[order[0]];
            var high = values[order[size - 1]];
            var range = high - low;
            if (!(range > 0))
            {
                continue;
            }

            distance[order[0]] = double.PositiveInfinity;
            distance[order[size - 1]] = double.PositiveInfinity;
            for (var k = 1; k < size - 1; k++)
            {
                distance[order[k]] += (values[order[k + 1]] - values[order[k - 1]]) / range;
            }
        }

        return distance;
    }
}
