using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.Hosting;

namespace NasHpo.Actors.Tests.Hosting;

/// <summary>The lease table's heartbeat thread, on a real SQLite file.</summary>
public sealed class StudyLeasesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-leases-");

    [Fact]
    public async Task A_subscriber_that_throws_on_a_lost_lease_does_not_end_the_heartbeat_or_the_process()
    {
        // Seen under starvation: `compare` lost a finished run's lease and its handler cancelled a disposed token; the
        // exception ended the heartbeat thread, and with it the process (exit 134).
        var path = Path.Combine(_directory.FullName, "journal.db");
        using var leases = new StudyLeases(JournalSettings.Parse(path), LeaseHolder.ForThisProcess(), new LeaseSettings(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100)));
        var lost = new ConcurrentQueue<string>();
        leases.Lost += (id, _) => lost.Enqueue(id);
        leases.Lost += (_, _) => throw new ObjectDisposedException("a finished run's cancellation source");
        await leases.AcquireAsync("first");
        await leases.AcquireAsync("second");

        // Renewals blocked for longer than the time-to-live (as in a starved or frozen process): once they get
        // through, the heartbeat's own clock says another engine may have taken over, and it gives up every lease.
        using (var blocker = new SqliteConnection($"Data Source={path}"))
        {
            blocker.Open();
            using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
            await Task.Delay(TimeSpan.FromSeconds(3));
            using var commit = blocker.CreateCommand();
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (lost.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(["first", "second"], lost.Order(StringComparer.Ordinal));
        Assert.False(leases.Holds("first") || leases.Holds("second"));
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
