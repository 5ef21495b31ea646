using System.CommandLine;
using NasHpo.Actors.Hosting;

namespace NasHpo.Cli.Engine;

/// <summary>Options shared by the engine's commands.</summary>
internal static class CommonOptions
{
    /// <summary>The embedded journal's default file, in the working directory.</summary>
    public const string DefaultDatabase = "nashpo.db";

    public static Option<string> Database() => new("--db")
    {
        Description = "the database holding the studies' journals: a SQLite file, or a PostgreSQL server as " +
            "postgresql://user@host:port/database or \"Host=...;Database=...;Username=...\" (password: PGPASSWORD or ~/.pgpass)",
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

    public static Option<string?> Checkpoints() => new Option<string?>("--checkpoints")
    {
        Description = "the directory for training checkpoints, one folder per study (default: DATABASE.checkpoints next to " +
            "a SQLite file; required with PostgreSQL for studies that train networks)",
    }.NamingAPath();

    /// <summary>
    /// Refuses an empty or blank value at parsing, in one line, for an option that names a file or directory
    /// (<c>--out ""</c> would otherwise reach the file system as an empty path and fail as an internal error).
    /// </summary>
    public static Option<T> NamingAPath<T>(this Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<T>() as string))
            {
                result.AddError($"{option.Name} needs a path, not an empty value");
            }
        });
        return option;
    }

    /// <summary>The level of the engine's log file (nashpo.log.level when not given).</summary>
    public static Option<string?> LogLevel()
    {
        var option = new Option<string?>("--log-level") { Description = "how much the engine's log file records: off, error, warning, info or debug (default: nashpo.log.level, info)" };
        option.AcceptOnlyFromAmong(EngineLog.Levels);
        return option;
    }

    /// <summary>The journal a <c>--db</c> value (or another option's, <paramref name="option"/>) names, or a user error naming the option.</summary>
    public static JournalSettings Journal(string database, string option = "--db")
    {
        try
        {
            return JournalSettings.Parse(database);
        }
        catch (ArgumentException error)
        {
            throw new UserErrorException($"{option}: {error.Message.Split(" (Parameter", 2)[0]}", error);
        }
    }
}
