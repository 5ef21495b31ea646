using Akka.Actor;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Engine;

/// <summary>
/// A read-only look at a database: an actor system with the journal's query side and nothing running, for
/// <c>status</c> and <c>report</c>. Refuses a database that holds no journal (a missing SQLite file, a PostgreSQL
/// database without its tables) instead of creating one.
/// </summary>
public sealed class JournalSession : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly JournalSettings _journal;

    private JournalSession(ActorSystem system, JournalSettings journal)
    {
        _system = system;
        _journal = journal;
    }

    public static JournalSession Open(JournalSettings journal)
    {
        try
        {
            journal.CheckExisting();
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        return new JournalSession(ActorSystem.Create("nashpo-reader", EngineHost.BaseConfig(journal)), journal);
    }

    public Task<IReadOnlyList<string>> ListStudiesAsync(CancellationToken cancellation) =>
        JournalReader.ListStudiesAsync(_system, cancellation);

    /// <summary>The study, or a user error naming the id and the database when it is not there.</summary>
    public async Task<StudyRecord> ReadStudyAsync(string studyId, CancellationToken cancellation)
    {
        var record = await JournalReader.ReadStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        return record.Exists
            ? record
            : throw new UserErrorException($"no study \"{studyId}\" in {_journal.Display} (nashpo status --db {_journal.Display} lists them)");
    }

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
