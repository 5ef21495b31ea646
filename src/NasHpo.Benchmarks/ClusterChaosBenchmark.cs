using System.Globalization;
using System.Text.Json;
using NasHpo.Actors.Hosting;
using NasHpo.Benchmarks.Chaos;
using Npgsql;

namespace NasHpo.Benchmarks;

/// <summary>
/// chaos-cluster: a loopback cluster of real `nashpo serve` processes (two coordinators, trainers) on a fresh
/// PostgreSQL database, with trainers killed or frozen and the singleton's coordinator killed at random moments while
/// synthetic studies run; then the account of <see cref="ClusterChaosOutcome"/>. Exit 0 only when everything is clean.
/// </summary>
internal static class ClusterChaosBenchmark
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Deterministic studies (one device each) of every kind of promotion, checkpoints included, and the command workload on two.</summary>
    public static IReadOnlyList<string> DefaultStudies { get; } = ["hyperband", "hyperband-async", "mo-bohb", "bulk-and-cut", "command"];

    /// <summary>A synthetic evaluation's time at the full budget: long enough that faults find trials mid-flight.</summary>
    public const string SyntheticDelay = "150ms";

    public static int Run(BenchmarkOptions options)
    {
        if (options.Database is null || !JournalSettings.IsPostgreSql(options.Database))
        {
            Console.Error.WriteLine("chaos-cluster runs on PostgreSQL: pass --db postgresql://user@host:port/database (a server where the user may create databases; the run creates a fresh one and drops it when clean)");
            return 2;
        }

        var nashpo = Path.Combine(AppContext.BaseDirectory, "nashpo.dll");
        IReadOnlyList<ChaosStudy> studies;
        try
        {
            studies = ChaosStudies.Select(options.Studies.Count > 0 ? options.Studies : DefaultStudies, ChaosStudies.FindRepositoryRoot(AppContext.BaseDirectory), SyntheticDelay);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        var scratch = options.Scratch ?? Directory.CreateTempSubdirectory("nashpo-chaos-cluster-").FullName;
        using var database = FreshDatabase.Create(options.Database);
        Console.WriteLine($"chaos-cluster: {options.Faults} faults, seed {options.Seed}, {options.Trainers} trainers, database {database.Name}, in {scratch}; studies: {string.Join(", ", studies.Select(s => s.Name))}");
        ClusterChaosOutcome outcome;
        try
        {
            outcome = ClusterChaosRun.RunAsync(new ClusterChaosOptions(nashpo, scratch, database.Url, options.Faults, options.Seed, studies, TimeSpan.FromMinutes(15))
            {
                Trainers = options.Trainers,
                Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"),
            }).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException error)
        {
            // The cluster did not start, or an uninterrupted reference run failed: nothing to account for.
            Console.Error.WriteLine($"chaos-cluster: {error.Message}");
            database.Keep = true;
            Console.Error.WriteLine($"kept for inspection: {scratch} and database {database.Name}");
            return 1;
        }

        foreach (var line in outcome.Describe())
        {
            Console.WriteLine(line);
        }

        if (options.OutputPath is { } output)
        {
            File.WriteAllText(output, JsonSerializer.Serialize(new
            {
                options.Faults,
                options.Seed,
                options.Trainers,
                Made = outcome.FaultsByKind.ToDictionary(f => ClusterChaosOutcome.Name(f.Key), f => f.Value),
                Finished = outcome.Rounds.Count(r => r.Failure is null),
                Lost = outcome.Rounds.Sum(r => r.Lost),
                Doubled = outcome.Rounds.Sum(r => r.Doubled),
                JournalProblems = outcome.Rounds.Sum(r => r.JournalProblems),
                Identical = outcome.Rounds.Count(r => r.Identical == true),
                Deterministic = outcome.Rounds.Count(r => r.Identical is not null),
                outcome.Problems,
                ElapsedSeconds = outcome.Elapsed.TotalSeconds,
                outcome.Rounds,
            }, Indented));
        }

        database.Keep = !outcome.Clean;
        if (outcome.Clean && options.Scratch is null)
        {
            Directory.Delete(scratch, recursive: true);
        }
        else if (!outcome.Clean)
        {
            Console.WriteLine($"kept for inspection: {scratch} and database {database.Name}");
        }

        return outcome.Clean ? 0 : 1;
    }

    /// <summary>A database of the run's own on the server --db names, dropped at the end unless kept.</summary>
    private sealed class FreshDatabase : IDisposable
    {
        private readonly string _admin;

        private FreshDatabase(string admin, string name, string url)
        {
            _admin = admin;
            Name = name;
            Url = url;
        }

        public string Name { get; }

        /// <summary>postgresql://user[:password]@host:port/name, the form --db takes.</summary>
        public string Url { get; }

        public bool Keep { get; set; }

        public static FreshDatabase Create(string server)
        {
            var admin = JournalSettings.Parse(server).ConnectionString;
            var name = "nashpo_chaos_" + Guid.NewGuid().ToString("N")[..12];
            Execute(admin, $"CREATE DATABASE {name}");
            var builder = new NpgsqlConnectionStringBuilder(admin);
            var password = string.IsNullOrEmpty(builder.Password) ? string.Empty : ":" + Uri.EscapeDataString(builder.Password);
            var url = string.Create(CultureInfo.InvariantCulture, $"postgresql://{Uri.EscapeDataString(builder.Username ?? "postgres")}{password}@{builder.Host}:{builder.Port}/{name}");
            return new FreshDatabase(admin, name, url);
        }

        public void Dispose()
        {
            if (!Keep)
            {
                Execute(_admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
            }
        }

        private static void Execute(string connectionString, string sql)
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
