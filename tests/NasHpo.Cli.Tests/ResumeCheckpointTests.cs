using Akka.Actor;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Cli.Tests;

/// <summary>
/// The journal names checkpoint files, not their directory: <c>resume</c> with another <c>--checkpoints</c> than the
/// run's still finishes the study, but says that its checkpoints are not where it looks.
/// </summary>
public sealed class ResumeCheckpointTests : IDisposable
{
    // A synthetic study that writes a small checkpoint per trial (problem.checkpoints), slow enough to stop midway.
    private const string Study = """
        study {
          seed = 4
          problem { type = zdt1, dimensions = 3, delay = 40ms, checkpoints = true }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 30 }
        }
        """;

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private string Database => Path.Combine(_harness.Directory, "r.db");

    [Fact]
    public async Task Resume_warns_when_the_checkpoints_the_journal_names_are_not_in_the_directory_it_is_given()
    {
        await StopMidwayAsync("moved", "kept");

        var elsewhere = Path.Combine(_harness.Directory, "elsewhere");
        var moved = CliHarness.Run("resume", "moved", "--db", Database, "--checkpoints", elsewhere);
        var kept = CliHarness.Run("resume", "kept", "--db", Database);

        Assert.True(moved.ExitCode == ExitCodes.Success, moved.Stderr);
        var warning = Assert.Single(moved.StderrLines, l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains("study \"moved\"", warning, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(elsewhere, "moved"), warning, StringComparison.Ordinal);
        Assert.Contains("--checkpoints", warning, StringComparison.Ordinal);
        Assert.True(kept.ExitCode == ExitCodes.Success, kept.Stderr);
        Assert.DoesNotContain("warning:", kept.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Starts the studies on an engine over the scratch database and stops the engine once each has written checkpoints.</summary>
    private async Task StopMidwayAsync(params string[] studyIds)
    {
        var definition = StudyDefinitionReader.FromHocon(Study);
        await using var host = EngineHost.Create(JournalSettings.Sqlite(Database));
        var studies = host.StartEngine(definition.DeviceNames);
        foreach (var id in studyIds)
        {
            await studies.Ask<StudyStarting>(new StartStudy(id, definition), TimeSpan.FromSeconds(10));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var id in studyIds)
        {
            while (true)
            {
                var status = await studies.Ask<StudyStatus>(new GetStudyStatus(id), TimeSpan.FromSeconds(10));
                Assert.NotEqual(StudyState.Finished, status.State);
                if (status.Evaluations >= 3)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"study {id} made no progress");
                await Task.Delay(20);
            }
        }
    }
}
