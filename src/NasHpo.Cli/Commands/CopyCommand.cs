using System.CommandLine;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo copy ID --from DB --to DB: copies one study between journals (a SQLite file to a PostgreSQL server when the
/// study outgrows one machine, or to a backup file), verified after the copy, so that the copy resumes as the
/// original would. The study's lease is held in both databases for the whole copy: a study that an engine is writing
/// is refused (its copy would be torn), and no engine can start on the copy before it is whole and verified.
/// </summary>
/// <remarks>
/// What is copied are the study's rows (<see cref="StudyRows"/>: its ledger, sampler and archive, each in sequence
/// order with its sequence numbers, and their snapshots), column by column, in one transaction of the target: a
/// failure or a kill mid-copy rolls back and leaves nothing there, so a retry starts from clean. A copy that does not
/// verify afterwards is deleted again. Events are never deleted in NasHpo (snapshots only shorten recovery), so every
/// persistence id starts at 1 and the copy recovers from its events alone; its snapshots come along all the same, so
/// that it recovers as quickly as the original and from the same state. A source whose events do not start at 1 (or
/// that has any other problem <c>nashpo verify</c> finds) is refused.
/// </remarks>
internal static class CopyCommand
{
    /// <summary>A progress line every this many events.</summary>
    internal const int ProgressEvery = 10_000;

    public static Command Create(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "the study to copy" };
        var from = new Option<string>("--from") { Description = "the database that holds the study (a SQLite file or a PostgreSQL address, as --db)", Required = true };
        var to = new Option<string>("--to") { Description = "the database to copy it into, created when it is a new SQLite file; it must not hold the study yet", Required = true };
        var command = new Command("copy", "Copy one study into another database (SQLite or PostgreSQL), verified after the copy; the copy resumes as the original would") { id, from, to };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            StudyRunner.ValidateStudyId(parseResult.GetRequiredValue(id)),
            CommonOptions.Journal(parseResult.GetRequiredValue(from), "--from"),
            CommonOptions.Journal(parseResult.GetRequiredValue(to), "--to"),
            cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, string studyId, JournalSettings source, JournalSettings target, CancellationToken cancellation)
    {
        if (source.SameAddressAs(target))
        {
            throw SameDatabase(source);
        }

        var clock = Stopwatch.StartNew();
        await using var original = JournalSession.Open(source);
        var sourceRows = new StudyRows(source, studyId);
        if (sourceRows.Count().Empty)
        {
            throw JournalSession.NoStudy(studyId, source);
        }

        // The lease first, then every read: what is copied is the study as it is while no engine can write it. A lost
        // lease cancels the copy; the leases are released (their heartbeat stopped) before the cancellation goes.
        using var copying = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var sourceLeases = WriterLease.Create(source);
        var lost = (string?)null;
        sourceLeases.Lost += (_, reason) =>
        {
            lost = reason;
            copying.Cancel();
        };
        await WriterLease.TakeAsync(console, sourceLeases, studyId, source, held =>
            $"study \"{studyId}\" in {source.Display} is being written by {held.Holder?.Describe() ?? "another engine"}; a copy taken now would be torn: copy it once that engine has stopped", cancellation);
        var verification = await original.VerifyStudyAsync(studyId, cancellation);
        RefuseUnclean(verification, source);
        var count = sourceRows.Count();

        await using var copy = await JournalSession.OpenForWritingAsync(target, cancellation);
        RefuseWhenSameDatabase(target, studyId, sourceLeases.Holder, source);
        using var targetLeases = WriterLease.Create(target, sourceLeases.Holder);
        targetLeases.Lost += (_, reason) =>
        {
            lost = reason;
            copying.Cancel();
        };
        await WriterLease.TakeAsync(console, targetLeases, studyId, target, held =>
            $"study \"{studyId}\" in {target.Display} is being written by {held.Holder?.Describe() ?? "another engine"}; copy never merges into a study", cancellation);

        // As an engine writes: on PostgreSQL the lease fence then checks every row against the lease held above.
        var targetRows = new StudyRows(target.ForWriter(targetLeases.Holder, targetLeases.Settings.TimeToLive / 2), studyId);
        long copied;
        IReadOnlyList<SnapshotRow> snapshots;
        var copyClock = Stopwatch.StartNew();
        try
        {
            using var writer = targetRows.BeginWrite();
            if (!writer.Existing.Empty)
            {
                throw new UserErrorException(
                    string.Create(CultureInfo.InvariantCulture, $"study \"{studyId}\" is already in {target.Display} ({writer.Existing.Events} events); copy never merges into a study: copy it to another database"));
            }

            copied = writer.WriteEvents(
                sourceRows.ReadEvents(copying.Token),
                ProgressEvery,
                done => console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"copying study {studyId}: {done} of {count.Events} events")),
                copying.Token);
            snapshots = sourceRows.ReadSnapshots();
            writer.WriteSnapshots(snapshots);
            copying.Token.ThrowIfCancellationRequested();
            if (copied != count.Events)
            {
                // Nothing writes the source under the lease: a changed count is a bug, and the copy is rolled back.
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"study \"{studyId}\" had {count.Events} events in {source.Display} but {copied} were read; nothing was copied"));
            }

            writer.Commit();
        }
        catch (OperationCanceledException) when (lost is not null)
        {
            throw new UserErrorException($"stopped copying study \"{studyId}\": {lost}; nothing of it was written to {target.Display}");
        }
        catch (DbException error)
        {
            // Reading the source and writing the target interleave: either may have failed, and the line says both.
            throw new UserErrorException($"cannot copy study \"{studyId}\" from {source.Display} to {target.Display}: {error.Message.ReplaceLineEndings(" ")}; nothing of it was left in {target.Display}", error);
        }

        var copyTime = copyClock.Elapsed;
        await VerifyCopyAsync(copy, sourceRows, targetRows, verification, target, cancellation);
        console.Out.WriteLine(Summary(studyId, source, target, count, snapshots.Count, copyTime, clock.Elapsed));
        return ExitCodes.Success;
    }

    private static UserErrorException SameDatabase(JournalSettings journal) =>
        new($"--from and --to are the same database ({journal.Display}): a study is copied into another one");

    /// <summary>
    /// A source that <c>nashpo verify</c> would not pass is not copied: an unreadable event is named as
    /// <c>status</c> names it, any other problem (a gap, events that do not start at 1, a trial recorded twice) by
    /// the verifier's line.
    /// </summary>
    private static void RefuseUnclean(StudyVerification verification, JournalSettings source)
    {
        var unreadable = verification.PersistenceIds.SelectMany(p => p.Unreadable.Select(e => e.Describe(p.PersistenceId))).FirstOrDefault();
        if (unreadable is not null)
        {
            throw new UserErrorException(JournalSession.UnreadableLine(verification.StudyId, source, unreadable, "cannot be read and was not copied"));
        }

        if (verification.Problems.Count > 0)
        {
            throw new UserErrorException(JournalSession.UnreadableLine(verification.StudyId, source, verification.Problems[0].Description, "does not verify and was not copied"));
        }
    }

    /// <summary>
    /// Two addresses of one database (localhost and 127.0.0.1, a hard link) pass <see cref="JournalSettings.SameAddressAs"/>;
    /// the target then already shows the lease just taken on the source, under this very holder.
    /// </summary>
    private static void RefuseWhenSameDatabase(JournalSettings target, string studyId, LeaseHolder holder, JournalSettings source)
    {
        var leases = new StudyLeaseStore(target);
        leases.EnsureTable();
        if (leases.Read(studyId)?.HolderId == holder.HolderId)
        {
            throw SameDatabase(source);
        }
    }

    /// <summary>
    /// Reads the copy back: row by row against the source (<see cref="StudyRows.FirstDifference"/>), then through the
    /// journal's own reader, as a resume will (<see cref="JournalVerifier"/>: every event deserializes, no gap). A
    /// copy that fails either is deleted, so the target never holds a study that is not whole.
    /// </summary>
    private static async Task VerifyCopyAsync(JournalSession copy, StudyRows sourceRows, StudyRows targetRows, StudyVerification original, JournalSettings target, CancellationToken cancellation)
    {
        string? problem;
        try
        {
            problem = sourceRows.FirstDifference(targetRows, cancellation);
            if (problem is null)
            {
                var verification = await copy.VerifyStudyAsync(sourceRows.StudyId, cancellation);
                problem = verification.Problems.Count > 0 ? verification.Problems[0].Description
                    : (verification.ReadableEvents == original.ReadableEvents
                        ? null
                        : string.Create(CultureInfo.InvariantCulture, $"{verification.ReadableEvents} events read back, {original.ReadableEvents} in the original"));
            }
        }
        catch
        {
            targetRows.Delete();
            throw;
        }

        if (problem is not null)
        {
            targetRows.Delete();
            throw new InvalidOperationException($"the copy of study \"{sourceRows.StudyId}\" in {target.Display} did not verify ({problem}); it was deleted there");
        }
    }

    /// <summary>The one line a copy ends with: what was copied, how fast (the copy's transaction alone), and that it verified.</summary>
    private static string Summary(string studyId, JournalSettings source, JournalSettings target, StudyRowCount count, int snapshots, TimeSpan copyTime, TimeSpan total)
    {
        var persistenceIds = string.Join(", ", count.EventsPerPersistenceId.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
        var rate = copyTime.TotalSeconds > 0 ? count.Events / copyTime.TotalSeconds : 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"copied study {studyId} from {source.Display} to {target.Display}: {count.EventsPerPersistenceId.Count} persistence ids ({persistenceIds}), " +
            $"{count.Events} events, {snapshots} snapshot{(snapshots == 1 ? string.Empty : "s")}; written in {copyTime.TotalSeconds:F1} s ({rate:F0} events/s); " +
            $"verified (every event identical byte for byte, the copy's journal clean), {total.TotalSeconds:F1} s in all");
    }
}
