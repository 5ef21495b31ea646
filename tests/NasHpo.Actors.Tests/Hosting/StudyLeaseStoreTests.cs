using NasHpo.Actors.Hosting;

namespace NasHpo.Actors.Tests.Hosting;

/// <summary>The lease table and fence on a real PostgreSQL server, created by many engines at the same moment.</summary>
public sealed class StudyLeaseStoreTests
{
    [PostgreSqlFact]
    public void Engines_creating_the_lease_table_and_fence_at_the_same_moment_all_succeed_and_only_one_takes_the_lease()
    {
        // Several fresh databases, since the race is only on a database where the table does not exist yet (CI once
        // saw the second of two engines fail on pg_type's unique index).
        const int engines = 8;
        for (var round = 0; round < 4; round++)
        {
            using var database = ScratchPostgreSqlDatabase.Create();
            var journal = JournalSettings.Parse(database.Url);
            database.Scalar("CREATE TABLE journal (persistence_id VARCHAR(255)); CREATE TABLE snapshot (persistence_id VARCHAR(255)); SELECT 1");
            using var start = new Barrier(engines);
            var holders = Enumerable.Range(0, engines).Select(_ => LeaseHolder.ForThisProcess()).ToArray();

            var outcomes = holders.AsParallel().WithDegreeOfParallelism(engines).Select(holder =>
            {
                var store = new StudyLeaseStore(journal);
                start.SignalAndWait();
                store.EnsureTable();
                var fenced = store.EnsureFence();
                return (holder, fenced, refusedBy: store.TryAcquire("s", holder, TimeSpan.FromMinutes(1)));
            }).ToArray();

            Assert.All(outcomes, o => Assert.True(o.fenced));
            var winners = outcomes.Where(o => o.refusedBy is null).ToArray();
            Assert.Single(winners);
            Assert.All(outcomes.Where(o => o.refusedBy is not null), o => Assert.Equal(winners[0].holder.HolderId, o.refusedBy!.HolderId));
        }
    }
}
