using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace NasHpo.Cli.Tests.EndToEnd;

/// <summary>
/// Storage that fails under a running study, with the real process: a disk that fills up (a small tmpfs, as root)
/// stops the study in one line with nothing lost, and `resume` finishes it once there is space again; a journal file
/// deleted under the study stops it in one line, exit 2, rather than letting it finish into a deleted file.
/// </summary>
public sealed class StorageFaultTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-storage-faults-");
    private readonly ITestOutputHelper _output;
    private string? _mounted;

    public StorageFaultTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (_mounted is not null)
        {
            Mount("umount", _mounted);
        }

        _directory.Delete(recursive: true);
    }

    private string StudyFile(int evaluations, string delay)
    {
        var file = Path.Combine(_directory.FullName, "study.conf");
        File.WriteAllText(file, $$"""
            study {
              seed = 3
              devices = 1
              problem { type = zdt1, dimensions = 4, delay = {{delay}} }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = {{evaluations}} }
            }
            """);
        return file;
    }

    /// <summary>
    /// The disk is a tmpfs of 1 MiB, which the journal (and the engine's log beside it) fills after some hundred
    /// evaluations; growing the tmpfs (remount, contents kept) is freeing space. Needs root and the right to mount
    /// (CAP_SYS_ADMIN); where mounting is refused the test says so and stops, and the engine's side of a full disk is
    /// proven by NasHpo.Actors.Tests' FullDiskTests with SQLite's own "database or disk is full" (max_page_count).
    /// </summary>
    [Fact]
    public async Task A_full_disk_stops_the_study_in_one_line_and_resume_finishes_it_with_nothing_lost_once_there_is_space()
    {
        var disk = Path.Combine(_directory.FullName, "disk");
        Directory.CreateDirectory(disk);
        if (Mount("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk) is { } refused)
        {
            _output.WriteLine($"mounting a tmpfs is not permitted here ({refused}); the full disk is covered by NasHpo.Actors.Tests' FullDiskTests");
            return;
        }

        _mounted = disk;
        const int Evaluations = 3000;
        var db = Path.Combine(disk, "s.db");
        var study = StudyFile(Evaluations, "0ms");

        var (exit, stdout, stderr) = await NashpoProcess.RunAsync(_directory.FullName, Limit, "run", study, "--study-id", "s", "--db", db);
        _output.WriteLine(stdout + stderr);

        Assert.Equal(ExitCodes.UserError, exit);
        var errors = Lines(stderr).Where(l => l.StartsWith("nashpo: ", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(errors);
        Assert.StartsWith("nashpo: stopped study \"s\": ", line, StringComparison.Ordinal);
        Assert.Contains("because the disk is full (SQLite Error 13: 'database or disk is full'.)", line, StringComparison.Ordinal);
        Assert.EndsWith($"free space, then continue with: nashpo resume s --db {db}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no heartbeat", stderr, StringComparison.Ordinal);

        var stopped = await StatusAsync(db);
        Assert.Equal("unfinished", stopped.GetProperty("state").GetString());
        var recorded = stopped.GetProperty("evaluations").GetInt32();
        Assert.InRange(recorded, 1, Evaluations - 1);

        Assert.Null(Mount("mount", "-o", "remount,size=256m", disk));
        var resumed = await NashpoProcess.RunAsync(_directory.FullName, Limit, "resume", "s", "--db", db);
        _output.WriteLine(resumed.Stdout + resumed.Stderr);

        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Stderr);
        Assert.Contains($"({recorded} evaluations recorded)", resumed.Stdout, StringComparison.Ordinal);
        var finished = await StatusAsync(db);
        Assert.Equal("finished", finished.GetProperty("state").GetString());
        Assert.Equal(Evaluations, finished.GetProperty("evaluations").GetInt32());

        // Every sequence number there, no trial scheduled or completed twice: the failed writes left nothing half done.
        var verify = await NashpoProcess.RunAsync(_directory.FullName, Limit, "verify", "s", "--db", db);
        Assert.True(verify.ExitCode == ExitCodes.Success, verify.Stdout + verify.Stderr);
    }

    [Fact]
    public async Task A_journal_deleted_under_a_running_study_stops_it_in_one_line_with_exit_2()
    {
        var db = Path.Combine(_directory.FullName, "s.db");
        var study = StudyFile(400, "100ms");
        using var run = NashpoProcess.Start(_directory.FullName, "run", study, "--study-id", "s", "--db", db);
        await run.StudyStarted.WaitAsync(Limit);
        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var file in new[] { db, db + "-wal", db + "-shm" })
        {
            File.Delete(file);
        }

        var deleted = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await run.WaitAsync(Limit);
        _output.WriteLine($"{stdout}{stderr}exit {exit} after {deleted.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(ExitCodes.UserError, exit);
        var line = Assert.Single(Lines(stderr));
        Assert.Equal(
            $"nashpo: stopped study \"s\": its journal {db} was deleted or replaced while the study ran; this engine stopped writing it (what it wrote to the deleted file is lost)",
            line);
        Assert.DoesNotContain("finished", stdout, StringComparison.Ordinal);
    }

    private async Task<JsonElement> StatusAsync(string db)
    {
        var status = await NashpoProcess.RunAsync(_directory.FullName, Limit, "status", "s", "--db", db, "--json");
        Assert.True(status.ExitCode == ExitCodes.Success, status.Stderr);
        return JsonDocument.Parse(status.Stdout).RootElement.Clone();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs mount or umount; null when it worked, else what it said.</summary>
    private static string? Mount(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{program} exit {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return $"{program}: {error.Message}";
        }
    }
}
