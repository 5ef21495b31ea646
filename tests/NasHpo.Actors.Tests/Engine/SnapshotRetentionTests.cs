using Microsoft.Data.Sqlite;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>
/// Snapshots exist to shorten recovery, and each holds the actor's whole state (the sampler's: every fact it ever
/// persisted): a long study must keep a bounded number per persistence id, not one per N events.
/// </summary>
public sealed class SnapshotRetentionTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-snapshots-");

    private string Database => Path.Combine(_directory.FullName, "engine.db");

    public void Dispose()
    {
        // The engine's pooled connections keep the file open after the actor system stops; release them first.
        SqliteConnection.ClearPool(new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = true }.ConnectionString));
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_long_study_keeps_at_most_two_snapshots_per_persistent_actor()
    {
        // A snapshot every 5 events: the sampler writes a proposal and an observation per evaluation, so 150
        // evaluations make about 60 of its snapshots, the archive about 30.
        var definition = TestEngine.Study("seed = 5, devices = 2, problem { type = zdt1, dimensions = 4 }\noptimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }\nstop { max-evaluations = 150 }");
        await using var engine = TestEngine.Start(Database, devices: 2, extraConfig: "nashpo.engine.snapshot-every = 5");
        await engine.RunToEndAsync("long", definition, TimeSpan.FromSeconds(60));

        // Snapshots are written after their events, and each deletion after its snapshot, through one queue: the
        // last ones may still be on their way when the study finishes. Wait until the table is settled (two reads a
        // second apart agree) with both actors in it; an actor that forgot to delete never gets there.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var snapshots = Snapshots();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            var again = Snapshots();
            var settled = again.Count == 2 && again.Values.All(s => s.Count <= 2) && again.OrderBy(s => s.Key).SequenceEqual(snapshots.OrderBy(s => s.Key));
            snapshots = again;
            if (settled)
            {
                break;
            }
        }

        Assert.Equal(["pareto-long", "sampler-long"], snapshots.Keys.Order(StringComparer.Ordinal));
        Assert.All(snapshots, s => Assert.True(s.Value.Count <= 2, $"{s.Key} keeps {s.Value.Count} snapshots: {s.Value.SequenceNumbers}"));
    }

    private Dictionary<string, (long Count, long Newest, string SequenceNumbers)> Snapshots()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id, COUNT(*), MAX(sequence_number), GROUP_CONCAT(sequence_number) FROM snapshot GROUP BY persistence_id";
        using var reader = command.ExecuteReader();
        var snapshots = new Dictionary<string, (long, long, string)>();
        while (reader.Read())
        {
            snapshots[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
        }

        return snapshots;
    }
}
