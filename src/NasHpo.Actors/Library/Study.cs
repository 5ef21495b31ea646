using NasHpo.Actors.Hosting;
using NasHpo.Actors.Library;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo;

/// <summary>
/// A study run from a .NET program, with every guarantee of a <c>nashpo run</c> study: one journal (SQLite file or
/// PostgreSQL), kill and resume, continuation of promoted trials, and the same <c>status</c>, <c>report</c> and
/// <c>compare</c>. Its trials are evaluated by the program's own code (<c>problem.type = external</c>), in one of two
/// ways: <see cref="OptimizeAsync"/> calls an objective on the study's devices, or the program asks for trials
/// (<see cref="AskAsync"/>) and tells their values (<see cref="TellAsync"/>, <see cref="FailAsync"/>), as many out at
/// once as the study has devices. A study opened again with the same id resumes where it stopped; trials asked and not
/// told before a crash are handed out again.
/// </summary>
public sealed class Study : IAsyncDisposable
{
    private readonly EngineHost _host;
    private readonly StudyLeases _leases;
    private readonly StudyDefinition? _newDefinition;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _recordedAtOpen;
    private AskTellWorkload? _askTell;
    private Task<StudyStatus>? _running;
    private int _answered;

    private Study(EngineHost host, StudyLeases leases, string id, StudyDefinition definition, StudyDefinition? newDefinition, int recordedAtOpen)
    {
        _host = host;
        _leases = leases;
        Id = id;
        Definition = definition;
        _newDefinition = newDefinition;
        _recordedAtOpen = recordedAtOpen;
    }

    /// <summary>How long disposing waits for told results to reach the journal before it stops the study.</summary>
    private static readonly TimeSpan RecordWait = TimeSpan.FromSeconds(10);

    /// <summary>The study's id in its journal.</summary>
    public string Id { get; }

    public StudyDefinition Definition { get; }

    /// <summary>The engine the study runs on (tests read other studies of the same journal through it).</summary>
    internal EngineHost Host => _host;

    /// <summary>
    /// Opens the study <paramref name="studyId"/> in <paramref name="database"/> (a SQLite path or a PostgreSQL
    /// address): created from <paramref name="definition"/> when the journal has no such study, resumed when it has
    /// one made from the same definition. This process becomes the study's one writer until the study is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The definition is not an external study, or the id is not a valid study id.</exception>
    /// <exception cref="InvalidOperationException">The journal holds a study of that id made from another definition.</exception>
    /// <exception cref="StudyLeaseHeldException">Another engine writes the study.</exception>
    public static async Task<Study> OpenAsync(StudyDefinition definition, string database, string studyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(studyId);
        if (!definition.Problem.IsExternal)
        {
            throw new ArgumentException($"study.problem.type is \"{definition.Problem.Type}\": a study run from code evaluates its trials in that code (problem.type = external)", nameof(definition));
        }

        if (!StudyIds.IsValid(studyId))
        {
            throw new ArgumentException($"study id \"{studyId}\" {StudyIds.Rule}", nameof(studyId));
        }

        var journal = JournalSettings.Parse(database);
        var leases = new StudyLeases(journal, LeaseHolder.ForThisProcess(), LeaseSettings.From(EngineHost.BaseConfig(journal)));
        EngineHost? host = null;
        try
        {
            host = EngineHost.Create(journal.ForWriter(leases.Holder, leases.Settings.TimeToLive / 2));
            await leases.AcquireAsync(studyId, cancellation: cancellationToken).ConfigureAwait(false);
            var record = await JournalReader.ReadStudyAsync(host.System, studyId, cancellationToken).ConfigureAwait(false);
            if (record.Exists && !string.Equals(record.Created!.Definition, definition.Hocon, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"study \"{studyId}\" in {journal.Display} was created from a different definition");
            }

            return new Study(host, leases, studyId, definition, record.Exists ? null : definition, record.Completed + record.FailedCount);
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            leases.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the study to its end, the engine calling <paramref name="objective"/> for each trial on one of the
    /// study's devices (as many at once as it has) with the trial's cancellation token; the objective returns the
    /// value of every objective by name (other names are kept as metrics), or throws to fail the trial. Completes
    /// with the final status; cancelling stops the trials (they run again when the study is resumed).
    /// </summary>
    public Task<StudyStatus> OptimizeAsync(Func<Trial, CancellationToken, Task<IReadOnlyDictionary<string, double>>> objective, IProgress<StudyStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Start(new ObjectiveWorkload(Definition, objective));
        return _host.RunStudyAsync(Id, _newDefinition, progress, cancellationToken);
    }

    /// <summary>
    /// The next trial to evaluate, or null once the study has finished. Trials are handed out as the study's
    /// optimizer proposes them; when as many are out as the study has devices, this waits for a tell.
    /// </summary>
    public async Task<Trial?> AskAsync(CancellationToken cancellationToken = default)
    {
        if (_askTell is null)
        {
            _askTell = new AskTellWorkload(Definition);
            Start(_askTell);
            _running = _host.RunStudyAsync(Id, _newDefinition, progress: null, _stop.Token);
        }

        var next = _askTell.NextAsync(cancellationToken);
        if (await Task.WhenAny(next, _running!).ConfigureAwait(false) == next)
        {
            return await next.ConfigureAwait(false);
        }

        await _running!.ConfigureAwait(false);
        return null;
    }

    /// <summary>Records the trial's values (every objective by name; other names are kept as metrics).</summary>
    /// <exception cref="ArgumentException">An objective is missing.</exception>
    /// <exception cref="InvalidOperationException">The trial was told or failed already, or the study stopped it.</exception>
    public Task TellAsync(Trial trial, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.TryAnswer(ExternalResults.From(Definition.Objectives, values))
            ? Answered()
            : throw new InvalidOperationException($"{trial.Id} was already told, failed or stopped");
    }

    /// <summary>Records the trial as failed with <paramref name="reason"/>.</summary>
    public Task FailAsync(Trial trial, string reason)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (_askTell is null)
        {
            throw new InvalidOperationException("no trial was asked of this study (FailAsync is for trials from AskAsync)");
        }

        return trial.TryFail(new InvalidOperationException(reason))
            ? Answered()
            : throw new InvalidOperationException($"{trial.Id} was already told, failed or stopped");
    }

    /// <summary>The study as its journal tells it (what <c>nashpo status</c> and <c>report</c> read).</summary>
    public Task<StudyRecord> ReadAsync(CancellationToken cancellationToken = default) => JournalReader.ReadStudyAsync(_host.System, Id, cancellationToken);

    /// <summary>
    /// Waits (up to 10 s) until what was told is in the journal, then stops the trials still out (they are handed out
    /// again when the study is opened again) and closes the engine.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_running is { IsCompleted: false })
        {
            await WaitUntilRecordedAsync().ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped as asked.
            }
        }

        await _host.DisposeAsync().ConfigureAwait(false);
        _leases.Dispose();
        _stop.Dispose();
    }

    private Task Answered()
    {
        Interlocked.Increment(ref _answered);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A told result travels from the device to the study, which writes it: stopping at once could lose it from the
    /// journal, and the trial would be handed out again. So the study's own count is awaited first.
    /// </summary>
    private async Task WaitUntilRecordedAsync()
    {
        var target = _recordedAtOpen + Volatile.Read(ref _answered);
        using var timeout = new CancellationTokenSource(RecordWait);
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = _host.WatchStudyAsync(Id, new Callback(status =>
        {
            if (status.Evaluations >= target)
            {
                recorded.TrySetResult();
            }
        }), timeout.Token);
        await Task.WhenAny(recorded.Task, watching).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        try
        {
            await watching.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped watching: recorded, or waited long enough.
        }
    }

    private sealed class Callback(Action<StudyStatus> report) : IProgress<StudyStatus>
    {
        public void Report(StudyStatus value) => report(value);
    }

    private void Start(IWorkload workload)
    {
        if (_host.Studies is not null)
        {
            throw new InvalidOperationException("a study runs either OptimizeAsync or ask-and-tell, once per Study object");
        }

        _host.StartEngine(Definition.DeviceNames, _ => workload);
    }
}
