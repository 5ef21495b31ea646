using System.Data.Common;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NasHpo.Actors.Studies;

/// <summary>Why a study's engine stopped it rather than restart its actors.</summary>
public enum StudyFaultKind
{
    /// <summary>A persistent actor could not recover from the journal (an event that does not read, a damaged file).</summary>
    RecoveryFailed,

    /// <summary>A journal write failed because the disk (or the database server's) is full.</summary>
    DiskFull,

    /// <summary>The study cannot start here: its checkpoint directory cannot be made (a file in its place, no permission).</summary>
    CannotStart,
}

/// <summary>
/// Published on the event stream by a study's persistent actor whose recovery failed or whose write found the disk
/// full: restarting it would fail again without end. The study's manager stops the study; its watchers fail.
/// </summary>
/// <param name="Reason">one line: the persistence id and what failed</param>
internal sealed record StudyFaulted(string StudyId, string PersistenceId, StudyFaultKind Kind, string Reason);

/// <summary>
/// The engine stopped the study because one of its persistent actors could not recover from the journal or could not
/// write to it for lack of space. Nothing that was written is lost: once the cause is fixed the study can be resumed.
/// </summary>
public sealed class StudyFailedException : Exception
{
    public StudyFailedException(string studyId, string persistenceId, StudyFaultKind kind, string reason)
        : base($"study \"{studyId}\" stopped: {reason}")
    {
        StudyId = studyId;
        PersistenceId = persistenceId;
        Kind = kind;
        Reason = reason;
    }

    public StudyFailedException()
    {
    }

    public StudyFailedException(string message)
        : base(message)
    {
    }

    public StudyFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public string StudyId { get; } = string.Empty;

    /// <summary>The journal stream that failed: study-{id}, sampler-{id} or pareto-{id}.</summary>
    public string PersistenceId { get; } = string.Empty;

    public StudyFaultKind Kind { get; }

    /// <summary>One line: the persistence id and what failed.</summary>
    public string Reason { get; } = string.Empty;

    internal static StudyFailedException From(StudyFaulted fault) => new(fault.StudyId, fault.PersistenceId, fault.Kind, fault.Reason);
}

/// <summary>
/// What a study's persistent actors do where Akka's defaults would loop: Akka stops an actor whose recovery failed, or
/// whose write failed, and its backoff supervisor starts it again. That heals a passing write error, but a damaged
/// journal fails every recovery and a full disk every write, so those are reported once and the study is stopped.
/// </summary>
internal static class StudyFaults
{
    // SQLITE_FULL; PostgreSQL's disk_full class; ENOSPC (Linux), as .NET puts the errno of an IOException.
    private const int SqliteFull = 13;
    private const string PostgresDiskFull = "53100";
    private const int NoSpaceErrno = 28;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>Call from OnRecoveryFailure (Akka stops the actor after it); logs one line, without a stack trace.</summary>
    /// <param name="recovered">the sequence number of the last event recovered (the replay may fail on reading the next)</param>
    /// <returns>false for a failure that may pass (a timeout, a database that did not answer): Akka's restart is left to retry it</returns>
    public static bool RecoveryFailed(IActorContext context, string studyId, string persistenceId, Exception reason, object? message, long recovered)
    {
        if (MayPass(reason))
        {
            return false;
        }

        var at = message is IPersistentRepresentation persistent ? $" at event {persistent.SequenceNr}" : $" after event {recovered}";
        var line = $"{persistenceId}: recovery from the journal failed{at} ({Describe(reason)})";
        Report(context, new StudyFaulted(studyId, persistenceId, StudyFaultKind.RecoveryFailed, line));
        return true;
    }

    /// <summary>
    /// A recovery that timed out (a loaded machine, a slow disk) or met a database error other than a damaged file may
    /// well succeed when tried again; an event that does not read, or a file SQLite calls damaged, never will.
    /// </summary>
    private static bool MayPass(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase:
                    return false;
                case RecoveryTimedOutException or TimeoutException or DbException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Call from OnPersistFailure: a full disk is reported (true: the caller skips Akka's own error log); any other
    /// failure is left to the backoff supervisor (false), which starts the actor again to recover and go on.
    /// </summary>
    public static bool WriteFailed(IActorContext context, string studyId, string persistenceId, Exception cause, long sequenceNr)
    {
        if (!IsDiskFull(cause))
        {
            return false;
        }

        var line = $"{persistenceId}: writing event {sequenceNr} failed because the disk is full ({Describe(cause)})";
        Report(context, new StudyFaulted(studyId, persistenceId, StudyFaultKind.DiskFull, line));
        return true;
    }

    /// <summary>Call where a study cannot start and starting it again would fail the same way.</summary>
    public static void CannotStart(IActorContext context, string studyId, string persistenceId, string reason) =>
        Report(context, new StudyFaulted(studyId, persistenceId, StudyFaultKind.CannotStart, reason));

    /// <summary>A full disk anywhere in the exception's causes: SQLite's, PostgreSQL's, or the file system's.</summary>
    public static bool IsDiskFull(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode == SqliteFull:
                case PostgresException postgres when postgres.SqlState == PostgresDiskFull:
                case IOException io when io.HResult == NoSpaceErrno:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsDiskFull):
                    return true;
            }
        }

        return false;
    }

    private static string Describe(Exception error)
    {
        var root = error.GetBaseException();
        var text = root is DbException ? root.Message : $"{root.GetType().Name}: {root.Message}";
        return text.ReplaceLineEndings(" ").Trim();
    }

    private static void Report(IActorContext context, StudyFaulted fault)
    {
        context.GetLogger().Info("{0}", fault.Reason);
        context.System.EventStream.Publish(fault);
    }
}
