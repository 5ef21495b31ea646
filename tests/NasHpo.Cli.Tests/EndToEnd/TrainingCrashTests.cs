using System.Globalization;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// Kill -9 the real process in the middle of training a network; on resume the trial continues from its last
/// completed epoch, so at most one epoch per device is lost.
/// </summary>
public sealed class TrainingCrashTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-training-crash-");

    public void Dispose() => _directory.Delete(recursive: true);

    [RealFashionMnistFact]
    public async Task A_trial_killed_mid_training_resumes_from_its_last_completed_epoch()
    {

        // One configuration trained for 8 epochs; an epoch takes a fraction of a second.
        var study = Path.Combine(_directory.FullName, "study.conf");
        await File.WriteAllTextAsync(study, """
            study {
              seed = 5
              devices = 1
              problem { type = fashion-mnist, train-subset = 4096, validation-subset = 256, test-subset = 256, image-size = 16 }
              search-space {
                conv_layers { type = int, lower = 1, upper = 1 }
                filters_1 { type = int, lower = 16, upper = 16 }
                kernel_1 { type = categorical, choices = [3] }
                batch_norm_1 { type = categorical, choices = [true] }
                global_avg_pooling { type = categorical, choices = [false] }
                fc_layers { type = int, lower = 1, upper = 1 }
                units_1 { type = int, lower = 32, upper = 32 }
                learning_rate { type = float, lower = 0.003, upper = 0.003 }
                batch_size { type = int, lower = 32, upper = 32 }
              }
              optimizer { type = random, max-budget = 8 }
              stop { max-evaluations = 1 }
            }
            """);

        using (var process = NashpoProcess.Start(_directory.FullName, "run", study, "--study-id", "t"))
        {
            await process.StudyStarted.WaitAsync(Limit);

            // Wait for the first epoch's checkpoint, then kill during a later epoch.
            var checkpoint = Path.Combine(_directory.FullName, "nashpo.db.checkpoints", "t", "trial-0-b8.ckpt");
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(checkpoint) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(process.HasExited, "the study finished before it could be killed; make the trial longer");
            await Task.Delay(100);
            process.Kill();
        }

        // The kill must have landed while the trial trained, or there is nothing to resume.
        var status = await NashpoProcess.RunAsync(_directory.FullName, Limit, "status", "t", "--json");
        Assert.Contains("\"state\":\"unfinished\"", status.Stdout, StringComparison.Ordinal);

        var resumed = await NashpoProcess.RunAsync(_directory.FullName, Limit, "resume", "t");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.Equal(0, (await NashpoProcess.RunAsync(_directory.FullName, Limit, "report", "t", "--out", "report")).ExitCode);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "report", "trials.csv"));
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        double Column(string name) => double.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);

        Assert.Equal("completed", row[Array.IndexOf(header, "status")]);
        var start = Column("start-epoch");
        Assert.InRange(start, 1, 7);
        Assert.Equal(8 - start, Column("epochs-trained"));
    }
}
