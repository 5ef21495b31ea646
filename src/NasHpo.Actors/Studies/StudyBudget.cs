using NasHpo.Configuration;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What a study has spent of its budget, each finished trial priced by <see cref="BudgetCharge"/>, and what is left
/// under <c>stop.max-budget-spent</c> once the trials in flight have cost what they are expected to. The total is
/// counted again from the ledger when the study starts and then kept up as trials finish, so the status line and the
/// stop criterion read it without a scan of the ledger.
/// </summary>
internal sealed class StudyBudget(StudyDefinition definition)
{
    /// <summary>What the finished trials cost, in the study's budget unit.</summary>
    public double Spent { get; private set; }

    /// <summary>Counts every finished trial of the ledger afresh.</summary>
    public void Recount(StudyLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        Spent = ledger.FinishedEntries.Sum(ChargeOf);
    }

    /// <summary>Adds what a trial that has just finished cost.</summary>
    public void Charge(LedgerEntry finished) => Spent += ChargeOf(finished);

    /// <summary>
    /// The budget left once the trials in flight have cost what they are expected to (it may be negative), or null
    /// when the study sets no <c>stop.max-budget-spent</c>.
    /// </summary>
    public double? Left(StudyLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return definition.Stop.MaxBudgetSpent is { } budget
            ? budget - Spent - ledger.InFlightRequests.Sum(request => BudgetCharge.Expected(definition, request))
            : null;
    }

    private double ChargeOf(LedgerEntry entry) => BudgetCharge.Finished(definition, entry.Request.Id, entry.Completion);
}
