using Akka.Actor;
using NasHpo.Actors.Studies;
using NasHpo.Core.Pareto;
using NasHpo.Core.Problems;

namespace NasHpo.Actors.Tests.Engine;

/// <summary>
/// A study with a log-scale objective on the real engine: the journal keeps the measured values, the archive's
/// hypervolume is taken on log10 values, and a study stopped and resumed decides as an uninterrupted one does (the
/// sampler replays the recorded values through the same transform).
/// </summary>
public sealed class LogScaleStudyTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-log-scale-");

    private string Database => Path.Combine(_directory.FullName, "engine.db");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_log_scale_study_records_measured_values_and_resumes_as_it_would_have_run()
    {
        var definition = TestEngine.Study("""
            seed = 21, problem { type = zdt1, dimensions = 4, delay = 30ms }
            objectives = [
              { name = f1 }
              { name = f2, scale = log }
            ]
            optimizer { type = mo-bohb, min-budget = 1, max-budget = 9 }
            stop { max-evaluations = 40 }
            """);
        await using (var first = TestEngine.Start(Database, devices: 1))
        {
            await first.RunToEndAsync("straight", definition, Limit);
            await first.Studies.Ask<StudyStarting>(new StartStudy("interrupted", definition), TimeSpan.FromSeconds(10));
            await first.WaitForAsync("interrupted", s => s.Evaluations >= 12, Limit);
        }

        await using var second = TestEngine.Start(Database, devices: 1);
        Assert.InRange((await second.ReadAsync("interrupted")).Completed, 1, 39);
        var status = await second.RunToEndAsync("interrupted", null, Limit);

        var straight = await second.ReadAsync("straight");
        var resumed = await second.ReadAsync("interrupted");
        Assert.Equal(40, resumed.Completed + resumed.FailedCount);
        Assert.Equal(
            straight.Trials.Select(t => (t.Id, t.Scheduled.Request.Configuration.Fingerprint, t.Scheduled.Request.Parent)),
            resumed.Trials.Select(t => (t.Id, t.Scheduled.Request.Configuration.Fingerprint, t.Scheduled.Request.Parent)));
        Assert.Equal(straight.Trials.Select(t => t.Completed?.Objectives), resumed.Trials.Select(t => t.Completed?.Objectives));
        Assert.Equal(straight.Hypervolume, resumed.Hypervolume, 12);
        Assert.Equal(resumed.Hypervolume, status.Hypervolume, 12);

        // The journal holds what the problem measured, not its log10.
        var problem = SyntheticProblem.Create("zdt1", new SyntheticProblemOptions(4));
        var completed = resumed.Trials.Where(t => t.Completed is not null).ToArray();
        Assert.All(completed, t => Assert.Equal(problem.Evaluate(t.Scheduled.Request.Configuration, t.Id.Budget, 9), t.Completed!.Objectives));

        // The archive's hypervolume is that of the maximum-budget results on (f1, log10 f2) against (1.1, log10 11).
        var atMax = completed.Where(t => t.Id.Budget == 9).Select(t => new[] { t.Completed!.Objectives[0], Math.Log10(t.Completed.Objectives[1]) }).ToArray();
        Assert.NotEmpty(atMax);
        Assert.Equal(Hypervolume.Compute(atMax, [1.1, Math.Log10(11)]), resumed.Hypervolume, 9);
        Assert.Equal(resumed.Archive.Count, completed.Length);
        Assert.All(resumed.Archive, archived => Assert.Equal(resumed.Trials.Single(t => t.Id == archived.Trial).Completed!.Objectives, archived.Objectives));
    }
}
