using Akka.Actor;
using Akka.Configuration;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Engine;

/// <summary>
/// A read-only look at a database: an actor system with the journal's query side and nothing running, for
/// <c>status</c>, <c>report</c> and <c>verify</c>. Refuses a database that holds no journal (a missing SQLite file, a PostgreSQL
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

    /// <param name="overrides">settings over the engine's (verify silences Akka's log of the failures it reports)</param>
    public static JournalSession Open(JournalSettings journal, Config? overrides = null)
    {
        try
        {
            journal.CheckExisting();
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        var config = overrides is null ? EngineHost.BaseConfig(journal) : overrides.WithFallback(EngineHost.BaseConfig(journal));
        return new JournalSession(ActorSystem.Create("nashpo-reader", config), journal);
    }

    public Task<IReadOnlyList<string>> ListStudiesAsync(CancellationToken cancellation) =>
        JournalReader.ListStudiesAsync(_system, cancellation);

    /// <summary>The study, or a user error naming the id and the database when it is not there.</summary>
    public async Task<StudyRecord> ReadStudyAsync(string studyId, CancellationToken cancellation)
    {
        var record = await JournalReader.ReadStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        return record.Exists
            ? record
            : throw NoStudy(studyId);
    }

    /// <summary>The study's journal checked (see <see cref="JournalVerifier"/>), or a user error when it is not there.</summary>
    public async Task<StudyVerification> VerifyStudyAsync(string studyId, CancellationToken cancellation)
    {
        var verification = await JournalVerifier.VerifyStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        return verification.Exists ? verification : throw NoStudy(studyId);
    }

    private UserErrorException NoStudy(string studyId) =>
        new($"no study \"{studyId}\" in {_journal.Display} (nashpo status --db {_journal.Display} lists them)");

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
