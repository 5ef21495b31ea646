using NasHpo.Core.Optimizers;
using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.Optimizers;

public class SingleTrialLedgerTests
{
    private static TrialRequest Request(long id) =>
        new(new TrialId(id, 9), new Configuration(new Dictionary<string, ParameterValue> { ["x"] = ParameterValue.Of(id) }), id, 0, null);

    [Fact]
    public void Replayed_requests_and_results_count_once_and_running_trials_stay_in_configuration_order()
    {
        var ledger = new SingleTrialLedger();
        Assert.True(ledger.Schedule(Request(3)));
        Assert.True(ledger.Schedule(Request(1)));
        Assert.False(ledger.Schedule(Request(3)));
        Assert.Equal(4, ledger.NextConfigurationId);
        Assert.Equal([1L, 3L], ledger.Running);

        var result = TrialResult.Completed(new TrialId(3, 9), [0.5]);
        Assert.Equal(Request(3), ledger.Report(result));
        Assert.Null(ledger.Report(result));
        Assert.Equal([1L], ledger.Running);
        Assert.Equal([Request(1)], ledger.RunningRequests);
    }

    [Fact]
    public void A_result_for_a_trial_never_scheduled_is_refused()
    {
        var ledger = new SingleTrialLedger();
        ledger.Schedule(Request(0));
        var error = Assert.Throws<InvalidOperationException>(() => ledger.Report(TrialResult.Failure(new TrialId(0, 3), "lost")));
        Assert.Contains("never scheduled", error.Message, StringComparison.Ordinal);
    }
}
