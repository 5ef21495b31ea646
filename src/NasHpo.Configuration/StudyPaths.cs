namespace NasHpo.Configuration;

/// <summary>
/// Resolves the paths a study names (data folders, and any other file a problem reads): an absolute path stays as it
/// is, a relative one is relative to the study file's folder (or <c>study.base-directory</c> when the study sets it),
/// not to wherever the engine happens to be started. Reading a study notes whether a relative path was resolved, so
/// that the text the journal keeps records the folder and a resumed study finds the same files.
/// </summary>
internal sealed class StudyPaths
{
    /// <summary>The study key (under <c>study</c>) that names the folder relative paths start from.</summary>
    public const string Key = "base-directory";

    /// <param name="baseDirectory">The study file's folder; null reads from text alone: the current directory.</param>
    public StudyPaths(string? baseDirectory) => BaseDirectory = baseDirectory;

    public string? BaseDirectory { get; }

    /// <summary>Whether <see cref="Resolve"/> met a relative path.</summary>
    public bool ResolvedRelative { get; private set; }

    /// <summary>The absolute form of <paramref name="path"/> (a leading <c>~/</c> is the home folder).</summary>
    public string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..].TrimStart('/')));
        }

        if (Path.IsPathRooted(path))
        {
            return Path.GetFullPath(path);
        }

        ResolvedRelative = true;
        return Path.GetFullPath(path, BaseDirectory ?? Directory.GetCurrentDirectory());
    }
}
