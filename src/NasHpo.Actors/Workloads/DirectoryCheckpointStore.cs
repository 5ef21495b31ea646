using System.Globalization;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Workloads;

/// <summary>
/// A study's checkpoints as files in one directory: "{checkpoints}/{study}/", where the checkpoints directory is
/// "{database}.checkpoints" next to a SQLite file unless configured (it must be for PostgreSQL). The journal refers
/// to them by file name, so the directory can move.
/// </summary>
public sealed class DirectoryCheckpointStore : ICheckpointStore
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

    /// <summary>Removes a trial's checkpoint; a missing file is fine.</summary>
    public void Delete(TrialId trial)
    {
        try
        {
            File.Delete(PathFor(trial));
        }
        catch (IOException)
        {
            // Another process holds it or it went away: it is only disk space, try again at the next clean-up.
        }
    }
}
