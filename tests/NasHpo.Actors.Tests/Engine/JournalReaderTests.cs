using System.Diagnostics;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>The read side is called from actors (the cluster coordinator and gateway): it must never block its caller.</summary>
public sealed class JournalReaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-reader-");

    private string Database => Path.Combine(_directory.FullName, "engine.db");

    public void Dispose()
    {
        SqliteConnection.ClearPool(new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = true }.ConnectionString));
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Reading_while_the_journal_starts_returns_at_once_and_completes_once_it_has_started()
    {
        var slow = ConfigurationFactory.ParseString("akka.persistence.journal.sql.class = \"NasHpo.Actors.Tests.Engine.SlowStartingSqlJournal, NasHpo.Actors.Tests\"");
        await using var host = EngineHost.Create(Database, slow, "reader-check");

        var call = Stopwatch.StartNew();
        var listing = JournalReader.ListStudiesAsync(host.System);
        var reading = JournalReader.ReadStudyAsync(host.System, "none");
        var returned = call.Elapsed;

        Assert.True(returned < SlowStartingSqlJournal.StartDelay / 4, $"the calls blocked their caller for {returned.TotalMilliseconds:F0} ms while the journal started");
        Assert.Empty(await listing);
        Assert.False((await reading).Exists);
        Assert.True(call.Elapsed >= SlowStartingSqlJournal.StartDelay / 2, $"the reads completed after {call.Elapsed.TotalMilliseconds:F0} ms: did the journal start slowly at all?");
    }
}
