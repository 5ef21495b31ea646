namespace NasHpo.Core.Optimizers.Models;

/// <summary>The Nelder–Mead simplex method: gradient-free, which suits a likelihood with clamped parameters.</summary>
internal static class NelderMead
{
    public static (double[] Point, double Value) Minimise(Func<double[], double> f, double[] start, double step, int maxEvaluations)
    {
        var n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])start.Clone();
        values[0] = f(simplex[0]);
        for (var i = 0; i < n; i++)
        {
            simplex[i + 1] = (double[])start.Clone();
            simplex[i + 1][i] += step;
            values[i + 1] = f(simplex[i + 1]);
        }

        var evaluations = n + 1;
        var order = new int[n + 1];
        var centroid = new double[n];
        while (evaluations < maxEvaluations)
        {
            for (var i = 0; i <= n; i++)
            {
                order[i] = i;
            }

            // A stable order (ties by index) keeps the run deterministic.
            Array.Sort(order, (a, b) => values[a] != values[b] ? values[a].CompareTo(values[b]) : a.CompareTo(b));
            var bestIndex = order[0];
            var worst = order[n];
            var secondWorst = order[n - 1];
            if (Math.Abs(values[worst] - values[bestIndex]) < 1e-9 * (1 + Math.Abs(values[bestIndex])))
            {
                break;
            }

            Array.Clear(centroid);
            for (var i = 0; i <= n; i++)
            {
                if (i == worst)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    centroid[j] += simplex[i][j] / n;
                }
            }

            double[] Along(double coefficient)
            {
                var point = new double[n];
                for (var j = 0; j < n; j++)
                {
                    point[j] = centroid[j] + (coefficient * (simplex[worst][j] - centroid[j]));
                }

                return point;
            }

            var reflected = Along(-1);
            var reflectedValue = f(reflected);
            evaluations++;
            if (reflectedValue < values[bestIndex])
            {
                var expanded = Along(-2);
                var expandedValue = f(expanded);
                evaluations++;
                (simplex[worst], values[worst]) = expandedValue < reflectedValue ? (expanded, expandedValue) : (reflected, reflectedValue);
            }
            else if (reflectedValue < values[secondWorst])
            {
                (simplex[worst], values[worst]) = (reflected, reflectedValue);
            }
            else
            {
                var contracted = reflectedValue < values[worst] ? Along(-0.5) : Along(0.5);
                var contractedValue = f(contracted);
                evaluations++;
                if (contractedValue < Math.Min(values[worst], reflectedValue))
                {
                    (simplex[worst], values[worst]) = (contracted, contractedValue);
                }
                else
                {
                    // Shrink towards the best vertex.
                    for (var i = 0; i <= n; i++)
                    {
                        if (i == bestIndex)
                        {
                            continue;
                        }

                        for (var j = 0; j < n; j++)
                        {
                            simplex[i][j] = simplex[bestIndex][j] + (0.5 * (simplex[i][j] - simplex[bestIndex][j]));
                        }

                        values[i] = f(simplex[i]);
                        evaluations++;
                    }
                }
            }
        }

        var best = 0;
        for (var i = 1; i <= n; i++)
        {
            if (values[i] < values[best])
            {
                best = i;
            }
        }

        return (simplex[best], values[best]);
    }
}
