using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>Running a study from code: it completes when the study finishes, with its status pushed on the way.</summary>
public sealed class StudyWatchTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-watch-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Database => Path.Combine(_directory.FullName, "journal.db");

    private static readonly Configuration.StudyDefinition Quick = TestEngine.Study(
        "seed = 3, devices = 2\nproblem { type = zdt1, dimensions = 4, delay = 20ms }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 40 }");

    [Fact]
    public async Task A_run_completes_with_the_final_status_and_pushes_progress_on_the_way()
    {
        await using var engine = TestEngine.Start(Database, devices: 2);
        var log = new TestEngine.StatusLog();
        using var timeout = new CancellationTokenSource(Limit);

        var final = await engine.Host.RunStudyAsync("watched", Quick, log, timeout.Token);

        Assert.Equal(StudyState.Finished, final.State);
        Assert.Equal(40, final.Evaluations);
        Assert.Equal("max-evaluations", final.FinishReason);
        var seen = log.All;
        Assert.Equal(final, seen[^1]);
        // Several statuses on the way (40 evaluations of 20 ms on 2 devices take about 400 ms; pushes come every
        // 250 ms while the status changes), in order: the evaluation count never goes back.
        Assert.True(seen.Count >= 2, $"{seen.Count} statuses pushed");
        Assert.Equal(seen.Select(s => s.Evaluations).Order(), seen.Select(s => s.Evaluations));

        var record = await engine.ReadAsync("watched");
        Assert.Equal(40, record.Completed);
    }

    [Fact]
    public async Task Cancelling_a_run_stops_the_study_and_a_later_run_finishes_it()
    {
        var slow = TestEngine.Study(
            "seed = 3, devices = 2\nproblem { type = zdt1, dimensions = 4, delay = 200ms }\noptimizer { type = random, max-budget = 1 }\nstop { max-evaluations = 12 }");
        await using (var engine = TestEngine.Start(Database, devices: 2))
        {
            using var cancel = new CancellationTokenSource();
            var log = new TestEngine.StatusLog();
            var run = engine.Host.RunStudyAsync("cancelled", slow, new CancelAfterFirstEvaluation(log, cancel), cancel.Token);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.NotEqual(StudyState.Finished, log.Last?.State);
        }

        await using (var again = TestEngine.Start(Database, devices: 2))
        {
            var final = await again.RunToEndAsync("cancelled", definition: null, Limit);
            Assert.Equal(12, final.Evaluations);
        }
    }

    [Fact]
    public async Task Watching_a_study_the_engine_does_not_run_fails_at_once()
    {
        await using var engine = TestEngine.Start(Database, devices: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.Host.WatchStudyAsync("absent"));

        Assert.Contains("\"absent\" is not running", error.Message, StringComparison.Ordinal);
    }

    private sealed class CancelAfterFirstEvaluation(TestEngine.StatusLog log, CancellationTokenSource cancel) : IProgress<StudyStatus>
    {
        public void Report(StudyStatus value)
        {
            log.Report(value);
            if (value.Evaluations >= 1)
            {
                cancel.Cancel();
            }
        }
    }
}
