namespace NasHpo.Core.Fidelity;

/// <summary>One rung of a successive-halving bracket: how many configurations run at which budget.</summary>
internal sealed record RungPlan(int Rung, int Configurations, double Budget);

/// <summary>One successive-halving bracket of Hyperband; <see cref="S"/> is the bracket's index s in the paper.</summary>
internal sealed record BracketPlan(int S, IReadOnlyList<RungPlan> Rungs)
{
    /// <summary>Evaluations the bracket performs when every trial completes.</summary>
    public int Evaluations => Rungs.Sum(r => r.Configurations);

    /// <summary>Budget the bracket spends when every trial is trained from scratch at every rung.</summary>
    public double BudgetFromScratch => Rungs.Sum(r => r.Configurations * r.Budget);
}

/// <summary>
/// Hyperband's bracket layout as in BOHB (Falkner et al. 2018) and paper 001, Algorithm 2:
/// s_max = ⌊log_η(b_max / b_min)⌋; bracket s samples n = ⌈(s_max + 1) / (s + 1) · η^s⌉ configurations at
/// budget b_max · η^(−s); rung i keeps ⌊n · η^(−i)⌋ of them (at least one) at budget b_max · η^(i − s).
/// Brackets run in the order s = s_max, s_max − 1, …, 0 and then repeat.
/// </summary>
internal sealed class HyperbandSchedule
{
    // log_η(27) evaluates to 2.9999999999999996 for η = 3; without a tolerance s_max would lose a bracket.
    private const double Tolerance = 1e-9;

    public HyperbandSchedule(double minBudget, double maxBudget, double eta)
    {
        if (!double.IsFinite(minBudget) || minBudget <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minBudget), minBudget, "the minimum budget must be a positive number");
        }

        if (!double.IsFinite(maxBudget) || maxBudget < minBudget)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBudget), maxBudget, $"the maximum budget must be at least the minimum budget {minBudget}");
        }

        if (!double.IsFinite(eta) || eta <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "η must be greater than 1");
        }

        MinBudget = minBudget;
        MaxBudget = maxBudget;
        Eta = eta;
        SMax = (int)Math.Floor((Math.Log(maxBudget / minBudget) / Math.Log(eta)) + Tolerance);
        Brackets = Enumerable.Range(0, SMax + 1).Select(i => Plan(SMax - i)).ToArray();
    }

    public double MinBudget { get; }

    public double MaxBudget { get; }

    public double Eta { get; }

    public int SMax { get; }

    /// <summary>Brackets in the order Hyperband runs them: s = s_max first.</summary>
    public IReadOnlyList<BracketPlan> Brackets { get; }

    /// <summary>The plan of the k-th bracket a study starts (k = 0, 1, 2, …): Hyperband cycles through its brackets.</summary>
    public BracketPlan ForIteration(long iteration) => Brackets[(int)(iteration % Brackets.Count)];

    private BracketPlan Plan(int s)
    {
        var n = (int)Math.Ceiling((((double)(SMax + 1) / (s + 1)) * Math.Pow(Eta, s)) - Tolerance);
        var rungs = new RungPlan[s + 1];
        for (var i = 0; i <= s; i++)
        {
            var configurations = Math.Max(1, (int)Math.Floor((n * Math.Pow(Eta, -i)) + Tolerance));
            var budget = i == s ? MaxBudget : MaxBudget * Math.Pow(Eta, i - s);
            rungs[i] = new RungPlan(i, configurations, budget);
        }

        return new BracketPlan(s, rungs);
    }
}
