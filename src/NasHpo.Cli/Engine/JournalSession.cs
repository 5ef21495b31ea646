using Akka.Actor;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Engine;

/// <summary>
/// A read-only look at a database: an actor system with the journal's query side and nothing running, for
/// <c>status</c> and <c>report</c>. Refuses a database file that does not exist instead of creating an empty one.
/// </summary>
public sealed class JournalSession : IAsyncDisposable
{
    private readonly ActorSystem _system;

    private JournalSession(ActorSystem system) => _system = system;

    public static JournalSession Open(string databasePath)
    {
        try
        {
            EngineHost.CheckExistingDatabase(databasePath);
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        return new JournalSession(ActorSystem.Create("nashpo-reader", EngineHost.BaseConfig(databasePath)));
    }

    public Task<IReadOnlyList<string>> ListStudiesAsync(CancellationToken cancellation) =>
        JournalReader.ListStudiesAsync(_system, cancellation);

    /// <summary>The study, or a user error naming the id and the database when it is not there.</summary>
    public async Task<StudyRecord> ReadStudyAsync(string studyId, string databasePath, CancellationToken cancellation)
    {
        var record = await JournalReader.ReadStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        return record.Exists
            ? record
            : throw new UserErrorException($"no study \"{studyId}\" in {databasePath} (nashpo status --db {databasePath} lists them)");
    }

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
