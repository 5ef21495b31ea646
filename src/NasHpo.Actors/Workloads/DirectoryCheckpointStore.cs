using System.Globalization;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Workloads;

/// <summary>
/// A study's checkpoints in one directory: "{checkpoints}/{study}/", where the checkpoints directory is
/// "{database}.checkpoints" next to a SQLite file unless configured (it must be for PostgreSQL). A trial keeps its
/// state in a file "{trial}.ckpt" (the built-in training) or in a directory "{trial}/" (a program of the user's,
/// which may write several files). The journal refers to them by name, so the directory can move.
/// </summary>
internal sealed class DirectoryCheckpointStore : ICheckpointStore
{
    public DirectoryCheckpointStore(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public static string ForStudy(string checkpointDirectory, string studyId) =>
        Path.Combine(Path.GetFullPath(checkpointDirectory), studyId);

    public static string FileName(TrialId trial) => string.Create(CultureInfo.InvariantCulture, $"{trial}.ckpt");

    public string PathFor(TrialId trial) => Path.Combine(Directory, FileName(trial));

    public string DirectoryFor(TrialId trial)
    {
        var directory = Path.Combine(Directory, trial.ToString());
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public string? ExistingDirectoryFor(TrialId trial)
    {
        var directory = Path.Combine(Directory, trial.ToString());
        return System.IO.Directory.Exists(directory) ? directory : null;
    }

    /// <summary>The name the journal records for a trial's saved state (its file, else its directory), or null when it left none.</summary>
    public string? SavedStateName(TrialId trial) =>
        File.Exists(PathFor(trial)) ? FileName(trial)
        : System.IO.Directory.Exists(Path.Combine(Directory, trial.ToString())) ? trial.ToString()
        : null;

    /// <summary>Removes a trial's checkpoint file and directory; missing ones are fine.</summary>
    public void Delete(TrialId trial)
    {
        try
        {
            File.Delete(PathFor(trial));
            var directory = Path.Combine(Directory, trial.ToString());
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Another process holds it or it went away: it is only disk space, try again at the next clean-up.
        }
    }
}
