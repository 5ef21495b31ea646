using Akka.Actor;
using Akka.Configuration;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Engine;

/// <summary>
/// A read-only look at a database: an actor system with the journal's query side and nothing running, for
/// <c>status</c>, <c>report</c>, <c>verify</c> and both sides of <c>copy</c>. <see cref="Open"/> refuses a database
/// that holds no journal (a missing SQLite file, a PostgreSQL database without its tables) instead of creating one, and
/// a study with an event that cannot be read; only <c>copy</c>'s target is created (<see cref="OpenForWritingAsync"/>).
/// </summary>
internal sealed class JournalSession : IAsyncDisposable
{
    // An event that cannot be read fails a stream, which Akka logs as an error with its stack trace, on the console;
    // a reader reports every failure itself in one line, so Akka's log would only repeat it.
    private static readonly Config QuietReader = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");

    private readonly ActorSystem _system;
    private readonly JournalSettings _journal;

    private JournalSession(ActorSystem system, JournalSettings journal)
    {
        _system = system;
        _journal = journal;
    }

    /// <summary>The actor system whose read side the session reads through (the dashboard follows studies with it).</summary>
    internal ActorSystem System => _system;

    /// <param name="live">the session follows studies as they change (the dashboard): its queries poll more often (<see cref="EngineConfiguration.LiveQueries"/>)</param>
    public static JournalSession Open(JournalSettings journal, bool live = false)
    {
        try
        {
            journal.CheckExisting();
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        var config = new EngineConfiguration { Role = QuietReader, LiveQueries = live, Journal = journal }.Compose();
        return new JournalSession(ActorSystem.Create("nashpo-reader", config), journal);
    }

    /// <summary>
    /// A database to copy a study into (<c>nashpo copy</c>): checked for writing and created when missing like a
    /// run's (<see cref="JournalSettings.Prepare"/>), with the journal's tables made by Akka.Persistence.Sql
    /// (<see cref="JournalTables"/>), so that rows can be written below it; the session then reads the copy back.
    /// </summary>
    public static async Task<JournalSession> OpenForWritingAsync(JournalSettings journal, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(journal);
        try
        {
            journal.Prepare();
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        var session = new JournalSession(ActorSystem.Create("nashpo-reader", new EngineConfiguration { Role = QuietReader, Journal = journal }.Compose()), journal);
        try
        {
            await JournalTables.CreateAsync(session._system, TimeSpan.FromSeconds(60), cancellation).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListStudiesAsync(CancellationToken cancellation) =>
        JournalReader.ListStudiesAsync(_system, cancellation);

    /// <summary>The study, or a user error naming the id and the database when it is not there or one of its events cannot be read.</summary>
    public async Task<StudyRecord> ReadStudyAsync(string studyId, CancellationToken cancellation)
    {
        StudyRecord record;
        try
        {
            record = await JournalReader.ReadStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        }
        catch (UnreadableEventException error)
        {
            throw Unreadable(studyId, _journal, error);
        }

        return record.Exists
            ? record
            : throw NoStudy(studyId);
    }

    /// <summary>
    /// The one line for a study whose journal stops at an event that cannot be read: the study, the persistence id and
    /// the event, and the command that lists every problem (there may be more than the first).
    /// </summary>
    /// <param name="resuming">the study was about to be resumed: the line says that it was not</param>
    public static UserErrorException Unreadable(string studyId, JournalSettings journal, UnreadableEventException error, bool resuming = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(UnreadableLine(studyId, journal, error.Message, resuming ? "cannot be read and was not resumed" : "cannot be read"), error);
    }

    /// <summary>The same line for an event found unreadable by <see cref="JournalVerifier"/>, with <paramref name="what"/> said of the study.</summary>
    public static string UnreadableLine(string studyId, JournalSettings journal, string eventDescription, string what)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return $"study \"{studyId}\" in {journal.Display} {what}: {eventDescription} (nashpo verify {studyId} --db {journal.Display} lists every problem)";
    }

    /// <summary>The study's journal checked (see <see cref="JournalVerifier"/>), or a user error when it is not there.</summary>
    public async Task<StudyVerification> VerifyStudyAsync(string studyId, CancellationToken cancellation)
    {
        var verification = await JournalVerifier.VerifyStudyAsync(_system, studyId, cancellation).ConfigureAwait(false);
        return verification.Exists ? verification : throw NoStudy(studyId);
    }

    private UserErrorException NoStudy(string studyId) => NoStudy(studyId, _journal);

    /// <summary>The one line for a study id the database does not hold.</summary>
    public static UserErrorException NoStudy(string studyId, JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return new($"no study \"{studyId}\" in {journal.Display} (nashpo status --db {journal.Display} lists them)");
    }

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
