using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Sampling;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;
using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>
/// The journals side by side: the same study (B4's: random search, instant evaluations, 8 device slots) on a scratch
/// SQLite file and on the PostgreSQL database given as --db; events persisted per second (every event the study,
/// its sampler and its archive wrote, counted back from the journal) and evaluations per second.
/// </summary>
internal static class JournalBenchmarks
{
    private const int Evaluations = 3000;
    private const int Devices = 8;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private sealed record Row(string Journal, double EventsPerSecond, double EvaluationsPerSecond, long Events, string Runs);

    public static int Run(BenchmarkOptions options)
    {
        if (options.Database is null || !JournalSettings.IsPostgreSql(options.Database))
        {
            Console.Error.WriteLine("the journal suite compares SQLite with PostgreSQL: pass --db postgresql://user@host:port/database (an existing database)");
            return 2;
        }

        var scratch = Directory.CreateTempSubdirectory("nashpo-bench-journal-");
        try
        {
            var runs = Math.Max(1, Math.Min(options.Runs, 5));
            var postgres = JournalSettings.Parse(options.Database);
            // Runs alternate between the journals, so neither gets the warmer process (JIT, caches) of later runs.
            var sqlite = new Samples("SQLite (scratch file)");
            var postgresql = new Samples($"PostgreSQL ({postgres.Display})");
            for (var run = 0; run < runs; run++)
            {
                sqlite.Add(RunStudy(JournalSettings.Sqlite(Path.Combine(scratch.FullName, $"journal-{run}.db")), StudyId(run)));
                postgresql.Add(RunStudy(postgres, StudyId(run)));
            }

            var rows = new[] { sqlite.ToRow(), postgresql.ToRow() };
            Console.WriteLine(Invariant($"Journal benchmark: {Evaluations} instant evaluations, random search, {Devices} device slots; medians of {runs} runs"));
            Console.WriteLine(Invariant($"  {"journal",-58} {"events/s",10} {"evals/s",9} {"events",8}  runs (events/s)"));
            foreach (var r in rows)
            {
                Console.WriteLine(Invariant($"  {r.Journal,-58} {r.EventsPerSecond,10:F0} {r.EvaluationsPerSecond,9:F0} {r.Events,8}  {r.Runs}"));
            }

            Console.WriteLine(Invariant($"  PostgreSQL / SQLite events/s: {rows[1].EventsPerSecond / rows[0].EventsPerSecond:F2}"));
            var path = options.OutputPath ?? Path.Combine(Path.GetTempPath(), "nashpo-bench-journal.json");
            File.WriteAllText(path, JsonSerializer.Serialize(new { suite = "journal", cores = Environment.ProcessorCount, evaluations = Evaluations, devices = Devices, rows }, JsonOptions));
            Console.WriteLine(Invariant($"JSON written to {path}"));
            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    // A fresh study id per run, so runs on the shared PostgreSQL database never replay each other.
    private static string StudyId(int run) => Invariant($"journal-bench-{DateTime.UtcNow:yyyyMMddHHmmssfff}-{run}");

    /// <summary>One journal's runs: events and evaluations per second, reported as medians.</summary>
    private sealed class Samples(string label)
    {
        private readonly List<double> _eventRates = [];
        private readonly List<double> _evaluationRates = [];
        private long _events;

        public void Add((TimeSpan Elapsed, long Events) run)
        {
            _events = run.Events;
            _eventRates.Add(run.Events / run.Elapsed.TotalSeconds);
            _evaluationRates.Add(Evaluations / run.Elapsed.TotalSeconds);
        }

        public Row ToRow() => new(
            label, Median(_eventRates), Median(_evaluationRates), _events, string.Join(" ", _eventRates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
    }

    /// <summary>Runs the study to its end; the time from asking for it to seeing it finished, and the events it wrote.</summary>
    private static (TimeSpan Elapsed, long Events) RunStudy(JournalSettings journal, string studyId)
    {
        var definition = StudyDefinitionReader.FromHocon(Invariant(
            $"study {{\nseed = 1, devices = {Devices}\nproblem {{ type = zdt1, dimensions = 10 }}\noptimizer {{ type = random, max-budget = 1 }}\nstop {{ max-evaluations = {Evaluations} }}\n}}"));
        var host = EngineHost.Create(journal);
        try
        {
            host.StartEngine(Devices);
            var watch = Stopwatch.StartNew();
            host.RunStudyAsync(studyId, definition).GetAwaiter().GetResult();

            var elapsed = watch.Elapsed;
            var query = PersistenceQuery.Get(host.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            long events = 0;
            foreach (var persistenceId in new[] { StudyActor.PersistenceIdFor(studyId), SamplerActor.PersistenceIdFor(studyId), ParetoArchiveActor.PersistenceIdFor(studyId) })
            {
                events += query.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                    .RunAggregate(0L, (count, _) => count + 1, host.System.Materializer())
                    .GetAwaiter().GetResult();
            }

            return (elapsed, events);
        }
        finally
        {
            host.System.Terminate().Wait();
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
