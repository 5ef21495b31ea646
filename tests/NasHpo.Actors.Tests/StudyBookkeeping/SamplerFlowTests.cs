using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class SamplerFlowTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 3, 1)]
    [InlineData(3, 1, 6)]
    [InlineData(4, 0, 4)]
    public void A_single_device_keeps_one_trial_in_flight_and_more_devices_keep_their_prefetch_too(int devices, int prefetch, int capacity) =>
        Assert.Equal(capacity, SamplerFlow.Capacity(devices, prefetch));

    [Fact]
    public void It_asks_for_the_free_capacity_within_the_evaluations_left()
    {
        Assert.Equal(new TrialDemand(4, null), SamplerFlow.Demand(6, null, 10, 2, null, 9));
        Assert.Equal(new TrialDemand(3, null), SamplerFlow.Demand(6, 15, 10, 2, null, 9));
        Assert.Equal(new TrialDemand(0, null), SamplerFlow.Demand(6, 12, 10, 2, null, 9));
        Assert.Equal(new TrialDemand(0, null), SamplerFlow.Demand(2, null, 10, 3, null, 9));
    }

    [Fact]
    public void Reaching_the_evaluation_limit_finishes_the_study_whatever_is_in_flight()
    {
        Assert.Equal(new TrialDemand(0, "max-evaluations"), SamplerFlow.Demand(6, 10, 10, 2, null, 9));
        Assert.Equal(new TrialDemand(0, "max-evaluations"), SamplerFlow.Demand(6, 10, 11, 0, -5, 9));
    }

    [Fact]
    public void It_asks_for_no_more_trials_than_could_each_run_at_the_maximum_budget_in_what_is_left()
    {
        Assert.Equal(new TrialDemand(2, null), SamplerFlow.Demand(6, null, 0, 0, 10, 9));
        Assert.Equal(new TrialDemand(1, null), SamplerFlow.Demand(6, null, 0, 0, 9, 9));
        Assert.Equal(new TrialDemand(1, null), SamplerFlow.Demand(6, null, 0, 0, 0.5, 9));
        Assert.Equal(new TrialDemand(6, null), SamplerFlow.Demand(6, null, 0, 0, 1e300, 9));
    }

    [Fact]
    public void With_the_budget_gone_it_waits_for_the_trials_in_flight_then_finishes()
    {
        Assert.Equal(new TrialDemand(0, null), SamplerFlow.Demand(6, null, 5, 2, 0, 9));
        Assert.Equal(new TrialDemand(0, "max-budget-spent"), SamplerFlow.Demand(6, null, 5, 0, 0, 9));
        Assert.Equal(new TrialDemand(0, "max-budget-spent"), SamplerFlow.Demand(6, null, 5, 0, -3, 9));
    }

    [Fact]
    public void One_request_is_open_at_a_time_and_an_answer_to_an_older_one_is_not_acted_on()
    {
        var flow = new SamplerFlow();
        Assert.False(flow.IsWaiting);

        var inFlight = new HashSet<TrialId> { new(1, 1) };
        var first = flow.Ask(3, inFlight, 7);
        Assert.True(flow.IsWaiting);
        Assert.True(flow.IsOpen(first.Correlation));
        Assert.Equal(3, first.Count);
        Assert.Equal(7, first.FinishedCount);
        Assert.Equal(new TrialId(1, 1), Assert.Single(first.InFlight));
        Assert.NotSame(inFlight, first.InFlight);

        flow.Close();
        Assert.False(flow.IsWaiting);
        Assert.False(flow.IsOpen(first.Correlation));

        var second = flow.Ask(1, inFlight, 8);
        Assert.NotEqual(first.Correlation, second.Correlation);
        Assert.False(flow.IsOpen(first.Correlation));
        Assert.True(flow.IsOpen(second.Correlation));
    }

    [Fact]
    public void Holding_the_last_request_open_blocks_new_ones_until_it_is_closed()
    {
        var flow = new SamplerFlow();
        var request = flow.Ask(2, new HashSet<TrialId>(), 0);
        flow.Close();

        Assert.Equal(request.Correlation, flow.HoldOpen());
        Assert.True(flow.IsWaiting);
        Assert.True(flow.IsOpen(request.Correlation));
    }

    [Fact]
    public void It_tells_whether_results_came_in_after_the_request_was_made()
    {
        var flow = new SamplerFlow();
        flow.Ask(2, new HashSet<TrialId>(), 5);
        Assert.False(flow.ResultsArrivedSinceAsked(5));
        Assert.True(flow.ResultsArrivedSinceAsked(6));
    }
}
