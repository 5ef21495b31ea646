using NasHpo.Core.Devices;
using NasHpo.Core.Optimizers;

namespace NasHpo.Core.Tests.Devices;

public sealed class LeaseBookTests
{
    private static readonly TrialId A = new(1, 1);
    private static readonly TrialId B = new(2, 1);
    private static readonly TrialId C = new(3, 1);
    private static readonly TrialId D = new(4, 1);

    private static LeaseBook<string, string> Book(params string[] devices)
    {
        var book = new LeaseBook<string, string>();
        foreach (var name in devices)
        {
            Assert.Empty(book.Add(name, "actor-" + name, "node-1"));
        }

        return book;
    }

    [Fact]
    public void Requests_are_served_in_arrival_order_by_the_free_device_with_the_smallest_name()
    {
        var book = Book("cpu-1", "cpu-0");

        Assert.Equal([new(A, "t1", "cpu-0", "actor-cpu-0")], book.Request(A, "t1"));
        Assert.Equal([new(B, "t2", "cpu-1", "actor-cpu-1")], book.Request(B, "t2"));
        Assert.Empty(book.Request(C, "t3"));
        Assert.Equal((2, 1), (book.Leased, book.Waiting));

        Assert.Equal([new(C, "t3", "cpu-1", "actor-cpu-1")], book.Release("cpu-1", B));
        Assert.Equal((2, 0), (book.Leased, book.Waiting));
    }

    [Fact]
    public void A_release_frees_a_device_once_whoever_reports_first_the_device_or_the_trial()
    {
        var book = Book("cpu-0");
        book.Request(A, "t1");
        book.Request(B, "t2");

        // The device reports that A's run ended: B gets it at once.
        Assert.Equal([new(B, "t2", "cpu-0", "actor-cpu-0")], book.Release("cpu-0", A));

        // A's own release comes one hop later and must not take the device from B.
        Assert.Empty(book.Release("cpu-0", A));
        Assert.Equal(B, book.LeaseOf("cpu-0")!.Trial);
    }

    [Fact]
    public void A_device_that_leaves_revokes_its_lease_and_is_never_lent_again()
    {
        var book = Book("cpu-0", "cpu-1");
        book.Request(A, "t1");

        Assert.Equal([new LeaseBook<string, string>.Lease(A, "t1")], book.Remove("cpu-0"));
        Assert.Empty(book.Remove("cpu-0"));
        Assert.Empty(book.Release("cpu-0", A));
        Assert.Equal([new(B, "t2", "cpu-1", "actor-cpu-1")], book.Request(B, "t2"));
        Assert.Empty(book.Request(C, "t3"));
        Assert.Equal(["cpu-1"], book.Names);
    }

    [Fact]
    public void A_device_that_joins_serves_the_waiting_request()
    {
        var book = new LeaseBook<string, string>();
        Assert.Empty(book.Request(A, "t1"));

        Assert.Equal([new(A, "t1", "cuda-0@n2", "gpu")], book.Add("cuda-0@n2", "gpu", "n2"));
        Assert.Equal(["cuda-0@n2"], book.DevicesOf("n2"));
        Assert.Empty(book.DevicesOf("n1"));
    }

    [Fact]
    public void A_cancelled_request_is_not_served_and_a_forgotten_lessee_frees_its_devices()
    {
        var book = Book("cpu-0");
        book.Request(A, "t1");
        book.Request(B, "t2");
        book.Request(C, "t3");
        book.Cancel(B, "t2");
        Assert.False(book.Involves("t2"));

        Assert.Equal([new(C, "t3", "cpu-0", "actor-cpu-0")], book.Forget("t1"));
        Assert.False(book.Involves("t1"));
        Assert.True(book.Involves("t3"));
        Assert.Equal((1, 0), (book.Leased, book.Waiting));
    }

    [Fact]
    public void A_device_announced_again_under_its_name_replaces_the_old_one_and_revokes_its_lease()
    {
        var book = Book("cpu-0@n1");
        book.Request(A, "t1");

        Assert.Empty(book.Add("cpu-0@n1", "restarted", "node-1"));
        Assert.Null(book.LeaseOf("cpu-0@n1"));
        Assert.True(book.TryGetDevice("cpu-0@n1", out var device));
        Assert.Equal("restarted", device);
        Assert.Equal([new(B, "t2", "cpu-0@n1", "restarted")], book.Request(B, "t2"));
    }

    [Fact]
    public void A_device_that_takes_a_queue_holds_one_more_trial_only_while_no_device_is_free()
    {
        var book = Book("cpu-0", "cpu-1");
        Assert.Empty(book.AllowQueue("cpu-0", true));
        Assert.Empty(book.AllowQueue("cpu-1", true));

        // Free devices first, a queue only once both run.
        Assert.Equal([new(A, "t1", "cpu-0", "actor-cpu-0")], book.Request(A, "t1"));
        Assert.Equal([new(B, "t2", "cpu-1", "actor-cpu-1")], book.Request(B, "t2"));
        Assert.Equal([new(C, "t3", "cpu-0", "actor-cpu-0", Queued: true)], book.Request(C, "t3"));
        Assert.Equal([new(D, "t4", "cpu-1", "actor-cpu-1", Queued: true)], book.Request(D, "t4"));
        Assert.Empty(book.Request(new TrialId(5, 1), "t5"));
        Assert.Equal((4, 1), (book.Leased, book.Waiting));

        // A's run ends: C, which the device already holds, is its running lease now, and the waiting trial is queued.
        Assert.Equal([new(new TrialId(5, 1), "t5", "cpu-0", "actor-cpu-0", Queued: true)], book.Release("cpu-0", A));
        Assert.Equal(C, book.LeaseOf("cpu-0")!.Trial);
        Assert.Equal(new TrialId(5, 1), book.QueuedOn("cpu-0")!.Trial);

        // A's own late release changes nothing; a queued trial that stops only leaves the queue.
        Assert.Empty(book.Release("cpu-0", A));
        Assert.Empty(book.Release("cpu-1", D));
        Assert.Null(book.QueuedOn("cpu-1"));
        Assert.Equal(B, book.LeaseOf("cpu-1")!.Trial);

        // B ends with nothing queued behind it: the device is free and the next request runs there at once.
        Assert.Empty(book.Release("cpu-1", B));
        Assert.Equal([new(D, "t4", "cpu-1", "actor-cpu-1")], book.Request(D, "t4"));
    }

    [Fact]
    public void A_queue_is_only_made_where_allowed_and_revoked_with_its_device_or_its_lessee()
    {
        var book = Book("cpu-0", "cpu-1");
        book.AllowQueue("cpu-1", true);
        book.Request(A, "t1");
        book.Request(B, "t2");

        // Only cpu-1 takes a queue; a device that takes one once the request waits serves it then.
        Assert.Equal([new(C, "t3", "cpu-1", "actor-cpu-1", Queued: true)], book.Request(C, "t3"));
        Assert.Empty(book.Request(D, "t4"));
        Assert.Equal([new(D, "t4", "cpu-0", "actor-cpu-0", Queued: true)], book.AllowQueue("cpu-0", true));

        // Withdrawing the queue keeps the queued lease made; the device leaving revokes both of its leases.
        Assert.Empty(book.AllowQueue("cpu-0", false));
        Assert.Equal(D, book.QueuedOn("cpu-0")!.Trial);
        Assert.Equal([new LeaseBook<string, string>.Lease(A, "t1"), new LeaseBook<string, string>.Lease(D, "t4")], book.Remove("cpu-0"));

        // A lessee that is forgotten loses its queued lease too.
        Assert.True(book.Involves("t3"));
        Assert.Empty(book.Forget("t3"));
        Assert.False(book.Involves("t3"));
        Assert.Equal((1, 0), (book.Leased, book.Waiting));
    }
}
