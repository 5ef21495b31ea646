using System.Text.RegularExpressions;
using Akka.Configuration;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.ReadSide;

namespace NasHpo.Cli.Engine;

/// <summary>The client side of the `--cluster HOST:PORT` commands: connecting, and one-line errors for what goes wrong.</summary>
internal static partial class ClusterConnection
{
    public static ClusterClientSession Connect(string hostAndPort, string? clusterConfigFile)
    {
        if (!HostAndPort().IsMatch(hostAndPort))
        {
            throw new UserErrorException($"--cluster: \"{hostAndPort}\" is not HOST:PORT (for example 127.0.0.1:4053)");
        }

        Config? overrides = null;
        if (clusterConfigFile is not null)
        {
            if (!File.Exists(clusterConfigFile))
            {
                throw new UserErrorException($"--cluster-config: no file {clusterConfigFile}");
            }

            try
            {
                overrides = ConfigurationFactory.ParseString(File.ReadAllText(clusterConfigFile));
            }
            catch (Exception error) when (error is ConfigurationException or FormatException)
            {
                throw new UserErrorException($"--cluster-config: {clusterConfigFile}: {error.Message}", error);
            }
        }

        return ClusterClientSession.Connect(hostAndPort, overrides);
    }

    public static async Task<T> AskAsync<T>(ClusterClientSession session, IClusterMessage message, CancellationToken cancellation)
    {
        try
        {
            return await session.AskAsync<T>(message, cancellation).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }
    }

    /// <summary>A study folded from the journal the cluster sends, or a user error when the cluster does not know it.</summary>
    public static async Task<StudyRecord> ReadStudyAsync(ClusterClientSession session, string studyId, string hostAndPort, CancellationToken cancellation)
    {
        var journal = await AskAsync<StudyJournal>(session, new GetStudyJournal(studyId), cancellation).ConfigureAwait(false);
        var record = new StudyRecord(studyId);
        foreach (var e in journal.Events)
        {
            record.Apply(e);
        }

        return record.Exists
            ? record
            : throw new UserErrorException($"no study \"{studyId}\" in the cluster at {hostAndPort} (nashpo status --cluster {hostAndPort} lists them)");
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$")]
    private static partial Regex HostAndPort();
}
