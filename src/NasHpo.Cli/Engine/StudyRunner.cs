using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Actors.Workloads;
using NasHpo.Configuration;

namespace NasHpo.Cli.Engine;

/// <summary>
/// Runs one study in this process until it finishes or the user interrupts it, showing progress: the shared
/// body of <c>run</c> (a new study) and <c>resume</c> (one from the journal).
/// </summary>
internal static partial class StudyRunner
{
    // Starting a study recovers its journals and, the first time, compiles the actors' code paths: on a loaded
    // machine that took longer than a status poll may, so the start and the stop get more time before giving up.
    private static readonly TimeSpan StartOrStopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A study id is part of actor names and persistence ids: letters, digits, '.', '_' and '-'.</summary>
    public static string ValidateStudyId(string studyId) =>
        StudyIds.IsValid(studyId)
            ? studyId
            : throw new UserErrorException($"study id \"{studyId}\" {StudyIds.Rule}");

    /// <summary>"{name}-{yyyyMMdd-HHmmss}" with anything unsafe replaced.</summary>
    public static string NewStudyId(string name) =>
        ValidateStudyId($"{UnsafeCharacters().Replace(name, "-").Trim('-', '.')}-{DateTime.UtcNow:yyyyMMdd-HHmmss}".TrimStart('-'));

    public static async Task<int> RunAsync(CliConsole console, string studyId, StudyDefinition? definition, JournalSettings journal, string? checkpoints, CancellationToken cancellation, string? logLevel = null)
    {
        await RunAsync(console, studyId, definition, journal, new StudyRunOptions { Checkpoints = checkpoints, LogLevel = logLevel }, cancellation).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The journal names checkpoint files, not their directory, so a resume with another <c>--checkpoints</c> than the
    /// run's (or none, where the run gave one) finds none of them: the study is still right, but promotions and
    /// interrupted trials train from scratch. Said once, before the engine starts, so the user can stop and pass the
    /// run's directory.
    /// </summary>
    private static void WarnWhenCheckpointsAreMissing(CliConsole console, StudyRecord record, string? checkpointDirectory)
    {
        var named = record.Trials.Count(t => t.Completed?.Checkpoint is not null);
        if (named == 0 || checkpointDirectory is null)
        {
            return;
        }

        var directory = DirectoryCheckpointStore.ForStudy(checkpointDirectory, record.StudyId);
        if (!Directory.Exists(directory))
        {
            console.Error.WriteLine(
                $"warning: the journal of study \"{record.StudyId}\" names {named} checkpoint file(s), but {directory} does not exist; " +
                "promotions and interrupted trials will train from scratch (pass the --checkpoints the run used to continue from them)");
        }
    }

    /// <summary>
    /// Runs a study to its end and returns it as the journal tells it. With <see cref="StudyRunOptions.ResumeExisting"/>
    /// a <paramref name="definition"/> whose study already exists is resumed (or skipped when finished) instead of
    /// refused, provided the journal holds that very definition.
    /// </summary>
    public static async Task<StudyRunOutcome> RunAsync(CliConsole console, string studyId, StudyDefinition? definition, JournalSettings journal, StudyRunOptions options, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        var databasePath = journal.Display;
        var checkpoints = options.Checkpoints;

        // Resume needs an existing journal; opening the engine on a missing file would leave an empty database behind.
        if (definition is null && journal.SqliteFile is { } file && !File.Exists(file))
        {
            throw new UserErrorException(Directory.Exists(file)
                ? $"cannot use database {file}: it is a directory"
                : $"no database at {file}, so no study \"{studyId}\" to resume (pass --db PATH)");
        }

        // Disposed after the engine has stopped (below), so the lease is released only when nothing writes any more.
        using var leases = WriterLease.Create(journal);
        var log = EngineLog.For(journal, options.LogLevel);
        EngineHost host;
        try
        {
            // --checkpoints goes through the configuration key, so the engine has one rule for where checkpoints live.
            var overrides = checkpoints is null
                ? log.ToConfig()
                : ConfigurationFactory.ParseString($"nashpo.checkpoints.directory = {HoconString(Path.GetFullPath(checkpoints))}").WithFallback(log.ToConfig());
            host = EngineHost.Create(journal.ForWriter(leases.Holder, leases.Settings.TimeToLive / 2), overrides);
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        await using (host)
        {
            using var lost = await WriterLease.AcquireAsync(console, leases, studyId, host, cancellation);
            using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellation, lost.Token);
            StudyRecord record;
            try
            {
                // On running's token: a lease lost now (the process starved or frozen for most of a time-to-live)
                // terminates the actor system, whose query stream would then never complete.
                record = await JournalReader.ReadStudyAsync(host.System, studyId, running.Token);
            }
            catch (UnreadableEventException error)
            {
                throw JournalSession.Unreadable(studyId, journal, error, resuming: definition is null || options.ResumeExisting);
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                throw WriterLease.LostError(lost, studyId);
            }

            if (definition is not null && record.Exists)
            {
                if (!options.ResumeExisting)
                {
                    throw new UserErrorException($"study \"{studyId}\" already exists in {databasePath}; continue it with: nashpo resume {studyId} --db {databasePath}");
                }

                // Continuing a study under another definition would mix two experiments in one journal.
                if (!string.Equals(record.Created!.Definition, definition.Hocon, StringComparison.Ordinal))
                {
                    throw new UserErrorException($"study \"{studyId}\" in {databasePath} was created from a different definition; use a new output directory or the original arguments");
                }

                definition = null;
            }

            if (definition is null && !record.Exists)
            {
                throw new UserErrorException($"no study \"{studyId}\" in {databasePath} (nashpo status --db {databasePath} lists them)");
            }

            var label = options.Label ?? studyId;
            if (record.Finished is { } finished)
            {
                console.Out.WriteLine($"{(options.Label is null ? "study " : string.Empty)}{label} already finished ({finished.Reason}); nothing to resume");
                return new StudyRunOutcome(record, AlreadyFinished: true);
            }

            var resolved = definition ?? StudyDefinitionReader.FromHocon(record.Created!.Definition);
            if (resolved.Problem.IsExternal)
            {
                throw new UserErrorException($"study \"{studyId}\": {WorkloadCatalog.ExternalStudyMessage}");
            }

            if (!resolved.Problem.IsSynthetic && host.CheckpointDirectory is null)
            {
                throw new UserErrorException($"study \"{studyId}\" trains networks and a PostgreSQL journal keeps no checkpoints next to it: pass --checkpoints DIR");
            }

            if (definition is null)
            {
                // The record above holds the ledger and the archive; the sampler recovers from events of its own. One
                // that cannot be read fails the sampler's recovery: Akka stops it and its backoff supervisor starts it
                // again, without end, while the study goes on without it, dispatches its unfinished trials again and
                // writes to its ledger. So they are all read before the engine starts.
                try
                {
                    await JournalReader.CheckReadableAsync(host.System, SamplerActor.PersistenceIdFor(studyId), running.Token);
                }
                catch (UnreadableEventException error)
                {
                    throw JournalSession.Unreadable(studyId, journal, error, resuming: true);
                }
                catch (OperationCanceledException) when (lost.IsCancellationRequested)
                {
                    throw WriterLease.LostError(lost, studyId);
                }

                WarnWhenCheckpointsAreMissing(console, record, host.CheckpointDirectory);
            }

            if (WorkloadCatalog.CheckCheckpoints(resolved, host.CheckpointDirectory, studyId) is { } unusable)
            {
                throw new UserErrorException($"study \"{studyId}\": {unusable}");
            }

            try
            {
                WorkloadCatalog.CheckDevices(resolved);
                if (WorkloadCatalog.CheckData(resolved) is { } data)
                {
                    console.Out.WriteLine(data);
                }
            }
            catch (Exception error) when (error is DeviceUnavailableException or InvalidDatasetException)
            {
                throw new UserErrorException(error.Message, error);
            }

            // Only the engine's own errors reach the console as a warning line: the reads above report their
            // failures in one line themselves, and an event they cannot read also makes Akka's stream log an error,
            // which would be a second line.
            log.WarnOnConsole(host.System, console);
            var studies = host.StartEngine(resolved.DeviceNames);
            try
            {
                await studies.Ask<StudyStarting>(new StartStudy(studyId, definition), StartOrStopTimeout, running.Token);
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                throw WriterLease.LostError(lost, studyId);
            }
            console.Out.WriteLine(definition is null
                ? $"resuming {(options.Label is null ? "study " : string.Empty)}{label} from {databasePath} ({record.Completed + record.FailedCount} evaluations recorded){log.Announce()}"
                : $"{(options.Label is null ? "study " : string.Empty)}{label} started in {databasePath}{log.Announce()}");

            var progress = new ProgressDisplay(console, label, options.Label is null);
            try
            {
                // The study pushes its status while it changes; the display shows each as it comes.
                var final = await host.WatchStudyAsync(studyId, new ProgressCallback(progress.Show), running.Token);
                progress.Done(final, databasePath);
                // Only a caller that wants the journal pays for reading it back (a long study's ledger is large).
                return new StudyRunOutcome(options.ReadBack ? await JournalReader.ReadStudyAsync(host.System, studyId, cancellation) : record, AlreadyFinished: false);
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                throw WriterLease.LostError(lost, studyId);
            }
            catch (StudyFailedException error)
            {
                progress.Stopped();
                throw Failed(error, journal, checkpoints);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                await studies.Ask<StudyStopped>(new StopStudy(studyId), StartOrStopTimeout, CancellationToken.None).ConfigureAwait(false);
                progress.Interrupted(databasePath, checkpoints is null ? null : Path.GetFullPath(checkpoints));
                throw;
            }
        }
    }

    /// <summary>
    /// The one line for a study the engine stopped: a full disk loses nothing (every fact acted on was written first),
    /// so it says how to go on; a journal the engine cannot recover from points at <c>nashpo verify</c>.
    /// </summary>
    private static UserErrorException Failed(StudyFailedException error, JournalSettings journal, string? checkpoints)
    {
        var studyId = error.StudyId;
        var directory = checkpoints is null ? string.Empty : $" --checkpoints {Path.GetFullPath(checkpoints)}";
        return new UserErrorException(
            error.Kind switch
            {
                StudyFaultKind.DiskFull => $"stopped study \"{studyId}\": {error.Reason}; everything written before is kept: free space, then continue with: nashpo resume {studyId} --db {journal.Display}{directory}",
                StudyFaultKind.RecoveryFailed => JournalSession.UnreadableLine(studyId, journal, error.Reason, "cannot be recovered and was stopped"),
                _ => $"stopped study \"{studyId}\": {error.Reason}",
            },
            error);
    }

    /// <summary>
    /// Shows each status as the engine hands it over, in order (<see cref="Progress{T}"/> would post them to the
    /// thread pool, where two lines can swap).
    /// </summary>
    private sealed class ProgressCallback(Action<StudyStatus> show) : IProgress<StudyStatus>
    {
        public void Report(StudyStatus value) => show(value);
    }

    private static string HoconString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeCharacters();
}

/// <summary>How <see cref="StudyRunner"/> treats an existing study and labels its progress.</summary>
/// <param name="Label">the name progress lines use instead of "study {id}" (and then without the report and resume hints)</param>
/// <param name="ResumeExisting">a new definition whose study exists resumes it (the journal must hold the same definition)</param>
/// <param name="ReadBack">read the finished study back from the journal for <see cref="StudyRunOutcome.Record"/></param>
internal sealed record StudyRunOptions(string? Label = null, bool ResumeExisting = false, bool ReadBack = false)
{
    /// <summary>The --checkpoints directory, when given (else the journal's default: next to a SQLite file).</summary>
    public string? Checkpoints { get; init; }

    /// <summary>The --log-level, when given (else nashpo.log.level).</summary>
    public string? LogLevel { get; init; }
}

/// <summary>
/// A study run to its end, and whether it had already finished before this run. <see cref="Record"/> is the journal
/// as read at the end with <see cref="StudyRunOptions.ReadBack"/> (or when it had already finished), otherwise as it
/// was before the run.
/// </summary>
internal sealed record StudyRunOutcome(StudyRecord Record, bool AlreadyFinished);
