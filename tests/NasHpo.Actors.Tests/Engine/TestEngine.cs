using Akka.Actor;
using Akka.Configuration;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>An engine on a scratch SQLite file, with helpers to run a study to its end.</summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private TestEngine(EngineHost host, string databasePath)
    {
        Host = host;
        DatabasePath = databasePath;
    }

    public EngineHost Host { get; }

    public string DatabasePath { get; }

    public IActorRef Studies => Host.Studies!;

    public static TestEngine Start(string databasePath, int devices, Func<StudyDefinition, IWorkload>? workloads = null, string? extraConfig = null)
    {
        var host = EngineHost.Create(databasePath, extraConfig is null ? null : ConfigurationFactory.ParseString(extraConfig));
        host.StartEngine(devices, workloads);
        return new TestEngine(host, databasePath);
    }

    public static StudyDefinition Study(string body) => StudyDefinitionReader.FromHocon($"study {{ {body} }}");

    /// <summary>Runs a study to its end the way code does (<see cref="EngineHost.RunStudyAsync"/>: the study pushes its status, nothing polls).</summary>
    public async Task<StudyStatus> RunToEndAsync(string studyId, StudyDefinition? definition, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var last = new StatusLog();
        try
        {
            return await Host.RunStudyAsync(studyId, definition, last, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"study {studyId} did not finish within {limit}; last status: {last.Last}");
        }
    }

    /// <summary>Polls until a condition on the way holds (a number of evaluations, a state), for tests that act then.</summary>
    public async Task<StudyStatus> WaitForAsync(string studyId, Func<StudyStatus, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        StudyStatus? status = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                status = await Studies.Ask<StudyStatus>(new GetStudyStatus(studyId), AskTimeout);
                if (condition(status))
                {
                    return status;
                }
            }
            catch (AskTimeoutException)
            {
                // Restarting after a journal failure: it answers again once recovered.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"study {studyId} did not reach the expected state within {limit}; last status: {status}");
    }

    public Task<StudyRecord> ReadAsync(string studyId) => JournalReader.ReadStudyAsync(Host.System, studyId);

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Every status the study pushed; the last one says where a study that timed out stood.</summary>
    internal sealed class StatusLog : IProgress<StudyStatus>
    {
        private readonly List<StudyStatus> _all = [];

        public StudyStatus? Last { get; private set; }

        public IReadOnlyList<StudyStatus> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public void Report(StudyStatus value)
        {
            lock (_all)
            {
                _all.Add(value);
                Last = value;
            }
        }
    }
}
