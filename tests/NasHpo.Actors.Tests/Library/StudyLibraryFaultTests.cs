using Microsoft.Data.Sqlite;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Actors.Tests.Library;

/// <summary>
/// A study run from a .NET program whose journal is damaged where only the engine reads it (the sampler's events):
/// the program's task fails with <see cref="StudyFailedException"/> naming the study and the stream, instead of the
/// engine restarting the sampler without end while the study waits.
/// </summary>
public sealed class StudyLibraryFaultTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-library-faults-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private string Database => Path.Combine(_directory.FullName, "journal.db");

    private static readonly StudyDefinition Definition = StudyDefinitionReader.FromHocon("""
        study {
          seed = 2
          devices = 1
          problem { type = external }
          objectives = [{ name = loss }]
          reference-point = [10]
          search-space { x { type = float, lower = 0, upper = 1 } }
          optimizer { type = random, max-budget = 1 }
          stop { max-evaluations = 30 }
        }
        """);

    private static Task<IReadOnlyDictionary<string, double>> Loss(Trial trial) =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double> { ["loss"] = trial.Configuration.GetDouble("x") });

    [Fact]
    public async Task OptimizeAsync_on_a_journal_whose_sampler_cannot_recover_fails_with_an_exception_naming_the_study_and_the_stream()
    {
        using var timeout = new CancellationTokenSource(Limit);
        await using (var study = await Study.OpenAsync(Definition, Database, "lib", timeout.Token))
        {
            for (var i = 0; i < 5 && await study.AskAsync(timeout.Token) is { } trial; i++)
            {
                await study.TellAsync(trial, await Loss(trial));
            }
        }

        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE journal SET message = X'FFFFFFFFFFFFFFFFFFFF' WHERE persistence_id = 'sampler-lib' AND sequence_number = (SELECT max(sequence_number) FROM journal WHERE persistence_id = 'sampler-lib')";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await using var reopened = await Study.OpenAsync(Definition, Database, "lib", timeout.Token);
        var failure = await Assert.ThrowsAsync<StudyFailedException>(() => reopened.OptimizeAsync((trial, _) => Loss(trial), cancellationToken: timeout.Token));

        Assert.Equal("lib", failure.StudyId);
        Assert.Equal("sampler-lib", failure.PersistenceId);
        Assert.StartsWith("study \"lib\" stopped: sampler-lib: recovery from the journal failed ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidProtocolBufferException", failure.Message, StringComparison.Ordinal);
    }
}
