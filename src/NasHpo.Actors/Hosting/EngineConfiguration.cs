using Akka.Configuration;
using Akka.Persistence.Sql;

namespace NasHpo.Actors.Hosting;

/// <summary>
/// The one place where the configuration of an actor system of this project is put together, whatever the process:
/// an engine (run, resume, compare, the library, the benchmarks), a journal reader (status, report, verify, copy, the
/// dashboard), a cluster node (serve) or a cluster client (submit, status --cluster). Layers, highest first:
/// <list type="number">
/// <item><see cref="Options"/>: a cluster node's command-line options (roles, hostname, port, seed nodes).</item>
/// <item><see cref="Overrides"/>: <c>--set key=value</c>, a cluster client's configuration file, a test's or a benchmark's settings.</item>
/// <item><see cref="Role"/>: what the process is (a reader is silent, a client is a remote actor system, not a member).</item>
/// <item>With <see cref="LiveQueries"/>: the journal's query side polls every <c>nashpo.dashboard.query-refresh-interval</c>.</item>
/// <item><see cref="Journal"/>: the database's connection strings and hocon/persistence.{sqlite,postgresql}.conf.</item>
/// <item>With <see cref="Cluster"/>: hocon/cluster.conf.</item>
/// <item>hocon/nashpo.conf: the engine's defaults.</item>
/// <item>With a journal: Akka.Persistence.Sql's defaults.</item>
/// </list>
/// The defaults are those .conf files (embedded in this assembly), and only they: code reads keys, and gives none a
/// value of its own.
/// </summary>
internal sealed record EngineConfiguration
{
    private static readonly Lazy<Config> EngineDefaults = new(() => ConfigurationFactory.ParseString(JournalSettings.ReadResource("nashpo.conf")));
    private static readonly Lazy<Config> ClusterDefaults = new(() => ConfigurationFactory.ParseString(JournalSettings.ReadResource("cluster.conf")));

    /// <summary>A cluster node's command-line options, above everything.</summary>
    public Config? Options { get; init; }

    /// <summary><c>--set key=value</c> and the like: above every default.</summary>
    public Config? Overrides { get; init; }

    /// <summary>Settings that make the process what it is, above the defaults and below the overrides.</summary>
    public Config? Role { get; init; }

    /// <summary>The process follows studies as they change (the dashboard): its journal queries poll more often.</summary>
    public bool LiveQueries { get; init; }

    /// <summary>The journal's database (null: a process without one, a cluster client).</summary>
    public JournalSettings? Journal { get; init; }

    /// <summary>The process is a member of a cluster, or its client: hocon/cluster.conf applies.</summary>
    public bool Cluster { get; init; }

    /// <summary>hocon/nashpo.conf alone: the engine's defaults.</summary>
    public static Config NashpoConf => EngineDefaults.Value;

    /// <summary>hocon/cluster.conf alone.</summary>
    public static Config ClusterConf => ClusterDefaults.Value;

    /// <summary>Every layer, highest first (see the type's summary).</summary>
    public Config Compose()
    {
        var defaults = NashpoConf;
        if (Cluster)
        {
            defaults = ClusterConf.WithFallback(defaults);
        }

        if (Journal is { } journal)
        {
            defaults = journal.ToConfig().WithFallback(defaults).WithFallback(SqlPersistence.DefaultConfiguration);
        }

        var settings = Above(Role, defaults);
        var chosen = Above(Options, Above(Overrides, settings));
        if (LiveQueries)
        {
            // The interval is itself a setting (an override may change it); a direct override of Akka's key still wins.
            var interval = chosen.GetString("nashpo.dashboard.query-refresh-interval");
            var live = ConfigurationFactory.ParseString($"akka.persistence.query.journal.sql.refresh-interval = {interval}");
            settings = live.WithFallback(settings);
            chosen = Above(Options, Above(Overrides, settings));
        }

        return chosen;
    }

    private static Config Above(Config? layer, Config below) => layer is null || layer.IsEmpty ? below : layer.WithFallback(below);
}
