using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Playwright;
using NasHpo.Actors.Archive;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Studies;
using NasHpo.Core.Optimizers;
using NasHpo.Core.Pareto;
using NasHpo.Core.SearchSpaces;
using NasHpo.Dashboard;
using static System.FormattableString;

namespace NasHpo.Benchmarks;

/// <summary>
/// The dashboard's two figures (issue: see the study): the first render of a study of 100 000 evaluations (from
/// asking for the page to its Pareto view drawn, in headless Chromium; the server already holds the study), and the
/// time from an event being persisted to the page showing it. The study is synthetic (ZDT1 objectives of random
/// configurations) and written straight into a scratch SQLite journal in batches, which takes seconds instead of
/// the hours a real study of that size runs. Needs Chromium (/usr/bin/chromium or NASHPO_CHROMIUM).
/// </summary>
internal static class DashboardBenchmarks
{
    private const string StudyId = "dashboard-bench";
    private const string Definition = """
        study {
          name = dashboard-bench
          seed = 1
          devices = 8
          problem { type = zdt1, dimensions = 4 }
          optimizer { type = random, max-budget = 1 }
          stop { max-evaluations = 1000000 }
        }
        """;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static int Run(BenchmarkOptions options)
    {
        var evaluations = options.Evaluations;
        var chromium = Environment.GetEnvironmentVariable("NASHPO_CHROMIUM") is { Length: > 0 } named ? named : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Console.Error.WriteLine($"no Chromium at {chromium}: apt-get install chromium, or set NASHPO_CHROMIUM");
            return 2;
        }

        var directory = Directory.CreateTempSubdirectory("nashpo-dashboard-bench-").FullName;
        try
        {
            return RunAsync(options, Path.Combine(directory, "studies.db"), evaluations, chromium).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> RunAsync(BenchmarkOptions options, string database, int evaluations, string chromium)
    {
        var journal = JournalSettings.Parse(database);
        var config = new EngineConfiguration { Overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING"), LiveQueries = true, Journal = journal }.Compose();
        using var system = ActorSystem.Create("dashboard-bench", config);
        var writer = new SyntheticStudy(system);

        var clock = Stopwatch.StartNew();
        await writer.WriteAsync(evaluations);
        var writeSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"wrote {evaluations} evaluations ({writer.Events} events) in {writeSeconds:F1} s"));

        await using var server = await DashboardServer.StartAsync(system, IPAddress.Loopback, 0);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(10) };
        clock.Restart();
        var overview = await http.GetStringAsync(new Uri(Invariant($"api/studies/{StudyId}/overview"), UriKind.Relative));
        var foldSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"the dashboard read the journal and built the views in {foldSeconds:F1} s ({overview.Length / 1024} KiB overview)"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        // First render: a new page each run, from navigation to the Pareto view drawn. All pages share one browser
        // profile, as a user's tabs do: the first load is cold (plotly.js downloaded and compiled), the rest find
        // the scripts in the browser's cache.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        var renders = new List<double>();
        var interactive = new List<double>();
        var drawn = new List<double>();
        for (var run = 0; run <= options.Runs; run++)
        {
            var page = await context.NewPageAsync();
            clock.Restart();
            // Not until the load event: the page runs plotly.js after its first view, and a script added before the
            // load event delays it, so waiting for it would time plotly.js as well.
            await page.GotoAsync(new Uri(server.Address, Invariant($"#study={StudyId}&view=front")).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            // First render: the Pareto view's front on screen (drawn as a picture until plotly.js has started);
            // interactive: plotly.js's plot in its place (hover, zoom, click to a trial).
            await page.WaitForSelectorAsync("body[data-first-view=true]", new PageWaitForSelectorOptions { Timeout = 60_000, State = WaitForSelectorState.Attached });
            renders.Add(clock.Elapsed.TotalMilliseconds);
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 60_000, State = WaitForSelectorState.Attached });
            interactive.Add(clock.Elapsed.TotalMilliseconds);
            // The page's own clock: from navigation start to the front painted (app.js marks it), without the
            // browser driver's round trips.
            drawn.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByName('nashpo-first-view')[0].startTime"));
            if (run == options.Runs)
            {
                // Where the last page's time went, by its own clock: each request's span and the page's marks.
                Console.WriteLine("last page load, ms since navigation: " + await page.EvaluateAsync<string>(
                    "() => performance.getEntriesByType('resource').map(e => `${e.name.split('/').pop()} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`)" +
                    ".concat(performance.getEntriesByType('mark').map(e => `${e.name} ${e.startTime.toFixed(0)}`)).join('; ')"));
            }

            await page.CloseAsync();
        }

        var cold = renders[0];
        renders.RemoveAt(0);
        var coldInteractive = interactive[0];
        interactive.RemoveAt(0);
        var coldDrawn = drawn[0];
        drawn.RemoveAt(0);

        // Event to page: one more evaluation persisted, until the open page shows it.
        var live = await context.NewPageAsync();
        live.Console += (_, message) => Console.WriteLine("page: " + message.Text);
        live.PageError += (_, error) => Console.WriteLine("page error: " + error);
        await live.GotoAsync(new Uri(server.Address, Invariant($"#study={StudyId}&view=front")).ToString());
        await live.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        var latencies = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var shown = evaluations + run + 1;
            var persisted = await writer.AppendOneAsync();
            try
            {
                await live.WaitForFunctionAsync(Invariant($"() => Number(document.body.dataset.evaluations) >= {shown}"), null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 5 });
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine("the page did not show the new evaluation; it says: " + await live.EvaluateAsync<string>("() => JSON.stringify({ ...document.body.dataset, live: document.getElementById('live').textContent })"));
                throw;
            }
            latencies.Add((Stopwatch.GetTimestamp() - persisted) * 1000.0 / Stopwatch.Frequency);
        }

        var result = new
        {
            evaluations,
            events = writer.Events,
            writeSeconds,
            foldSeconds,
            overviewKiB = overview.Length / 1024,
            firstRenderColdMs = cold,
            drawnByPageClockColdMs = coldDrawn,
            drawnByPageClockMs = new { median = Median(drawn), all = drawn },
            firstRenderMs = new { median = Median(renders), all = renders },
            interactiveColdMs = coldInteractive,
            interactiveMs = new { median = Median(interactive), all = interactive },
            eventToPageMs = new { median = Median(latencies), all = latencies },
        };
        Console.WriteLine(Invariant($"first render of the Pareto view: {cold:F0} ms cold (the browser's first visit), median {Median(renders):F0} ms over {renders.Count} later page loads ({string.Join(", ", renders.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})"));
        Console.WriteLine(Invariant($"drawn by the page's own clock (navigation start to the front painted): {coldDrawn:F0} ms cold, median {Median(drawn):F0} ms"));
        Console.WriteLine(Invariant($"interactive (plotly.js's plot drawn): {coldInteractive:F0} ms cold, median {Median(interactive):F0} ms ({string.Join(", ", interactive.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})"));
        Console.WriteLine(Invariant($"event persisted to page updated: median {Median(latencies):F0} ms over {latencies.Count} ({string.Join(", ", latencies.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})"));
        if (options.OutputPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, JsonOptions));
        }

        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Writes a random-search study's facts as the engine would: the ledger and the archive, in batches.</summary>
    private sealed class SyntheticStudy(ActorSystem system)
    {
        private const int Batch = 2000;
        private readonly IActorRef _ledger = system.ActorOf(Props.Create(() => new BatchWriter(StudyActor.PersistenceIdFor(StudyId))));
        private readonly IActorRef _archive = system.ActorOf(Props.Create(() => new BatchWriter(ParetoArchiveActor.PersistenceIdFor(StudyId))));
        private readonly Random _random = new(1);
        private readonly ParetoArchive<long> _front = new();
        private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;
        private long _next;

        public long Events { get; private set; }

        public async Task WriteAsync(int evaluations)
        {
            await PersistAsync(_ledger, [new StudyCreated(StudyId, Definition, 1, [1.1, 11.0], _created)]);
            while (_next < evaluations)
            {
                var count = (int)Math.Min(Batch, evaluations - _next);
                var (ledger, archive) = Evaluations(count);
                await PersistAsync(_ledger, ledger);
                await PersistAsync(_archive, archive);
            }
        }

        /// <summary>One more evaluation; returns the timestamp at which its last event was persisted.</summary>
        public async Task<long> AppendOneAsync()
        {
            var (ledger, archive) = Evaluations(1);
            await PersistAsync(_ledger, ledger);
            await PersistAsync(_archive, archive);
            return Stopwatch.GetTimestamp();
        }

        private (object[] Ledger, object[] Archive) Evaluations(int count)
        {
            var ledger = new List<object>();
            var archive = new List<object>();
            for (var i = 0; i < count; i++, _next++)
            {
                var x = Enumerable.Range(0, 4).Select(_ => _random.NextDouble()).ToArray();
                var configuration = new Core.SearchSpaces.Configuration(x.Select((v, d) => KeyValuePair.Create(Invariant($"x{d}"), ParameterValue.Of(v))));
                var g = 1 + (9.0 * x.Skip(1).Sum() / 3);
                double[] objectives = [x[0], g * (1 - Math.Sqrt(x[0] / g))];
                var id = new TrialId(_next, 1);
                var at = _created.AddMilliseconds(_next * 10);
                ledger.Add(new TrialScheduled(new TrialRequest(id, configuration, _next, 0, null), at));
                ledger.Add(new TrialStarted(id, Invariant($"cpu-{_next % 8}"), at));
                ledger.Add(new TrialCompleted(id, objectives, new Dictionary<string, double>(), TimeSpan.FromMilliseconds(70), Invariant($"cpu-{_next % 8}"), at.AddMilliseconds(70)));
                _front.Admit(_next, objectives);
                archive.Add(new EvaluationArchived(id, objectives, at.AddMilliseconds(70) - _created, Hypervolume.Compute(_front.Points, [1.1, 11.0])));
            }

            return (ledger.ToArray(), archive.ToArray());
        }

        private async Task PersistAsync(IActorRef writer, object[] events)
        {
            await writer.Ask<Done>(events, TimeSpan.FromMinutes(5));
            Events += events.Length;
        }
    }

    private sealed record Done;

    /// <summary>Persists each batch it is sent under one persistence id, and says when it is written.</summary>
    private sealed class BatchWriter : ReceivePersistentActor
    {
        public BatchWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<object[]>(batch =>
            {
                var sender = Sender;
                PersistAll(batch, _ => { });
                DeferAsync(batch, _ => sender.Tell(new Done()));
            });
        }

        public override string PersistenceId { get; }
    }
}
