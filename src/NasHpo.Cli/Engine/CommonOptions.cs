using System.CommandLine;

namespace NasHpo.Cli.Engine;

/// <summary>Options shared by the engine's commands.</summary>
public static class CommonOptions
{
    /// <summary>The embedded journal's default file, in the working directory.</summary>
    public const string DefaultDatabase = "nashpo.db";

    public static Option<string> Database() => new("--db")
    {
        Description = "the SQLite database holding the studies' journals",
        DefaultValueFactory = _ => DefaultDatabase,
    };

    /// <summary>A coordinator of a running cluster, HOST:PORT; the command then asks the cluster instead of a database.</summary>
    public static Option<string?> Cluster() => new("--cluster")
    {
        Description = "ask the cluster whose coordinator listens at HOST:PORT (instead of reading --db)",
    };

    /// <summary>HOCON merged over hocon/cluster.conf for client commands (TLS settings, a hostname the cluster can reach).</summary>
    public static Option<string?> ClusterConfig() => new("--cluster-config")
    {
        Description = "a HOCON file with cluster settings for this client (TLS, akka.remote.dot-netty.tcp.hostname)",
    };
}
