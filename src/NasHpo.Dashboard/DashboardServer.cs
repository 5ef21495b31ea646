using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NasHpo.Analysis.Studies;

namespace NasHpo.Dashboard;

/// <summary>
/// The live dashboard: ASP.NET Core's Kestrel serving the page and its JSON API, with changes pushed to the page as
/// server-sent events. It reads the journal through <paramref name="system"/>'s read side only, so it runs beside a
/// study's engine (another process, or the same one) and after it.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StudyFeeds _feeds;

    private DashboardServer(WebApplication app, StudyFeeds feeds)
    {
        _app = app;
        _feeds = feeds;
    }

    /// <summary>Where the page is, e.g. http://127.0.0.1:8050/.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts serving on <paramref name="address"/>:<paramref name="port"/> (0: any free port; see <see cref="Address"/>).</summary>
    public static async Task<DashboardServer> StartAsync(ActorSystem system, IPAddress address, int port, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(address, port));
        var app = builder.Build();
        var feeds = new StudyFeeds(system);
        var server = new DashboardServer(app, feeds);
        Map(app, feeds);
        await app.StartAsync(cancellation).ConfigureAwait(false);
        var bound = app.Urls.First();
        server.Address = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _feeds.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Map(WebApplication app, StudyFeeds feeds)
    {
        var page = new Lazy<string>(DashboardPage.Live);
        app.MapGet("/", () => Results.Content(page.Value, "text/html; charset=utf-8"));
        foreach (var name in DashboardPage.Scripts)
        {
            var script = new Lazy<byte[]>(() => Encoding.UTF8.GetBytes(DashboardPage.Script(name)!));

            // The scripts change only with the program: a day's caching lets the browser keep them compiled.
            app.MapGet("/" + name, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=86400";
                return Results.Bytes(script.Value, "text/javascript; charset=utf-8");
            });
        }
        app.MapGet("/api/studies", async (CancellationToken ct) =>
            Json((await feeds.ViewsAsync(ct).ConfigureAwait(false)).Select(v => v.Summary()).ToArray()));
        // A view is of one version: its overview is written once, however many pages ask for it.
        var overviews = new System.Runtime.CompilerServices.ConditionalWeakTable<StudyView, byte[]>();
        app.MapGet("/api/studies/{id}/overview", async (string id, CancellationToken ct) =>
            await feeds.ViewAsync(id, ct).ConfigureAwait(false) is { } view
                ? Results.Bytes(overviews.GetValue(view, v => JsonSerializer.SerializeToUtf8Bytes(v.Overview(), DashboardPage.Json)), "application/json")
                : NotFound(id));
        app.MapGet("/api/studies/{id}/trials", async (string id, HttpRequest request, CancellationToken ct) =>
            await feeds.ViewAsync(id, ct).ConfigureAwait(false) is { } view ? Json(view.Query(ReadQuery(request))) : NotFound(id));
        app.MapGet("/api/studies/{id}/trials/{trial}", async (string id, string trial, CancellationToken ct) =>
            await feeds.ViewAsync(id, ct).ConfigureAwait(false) is { } view && view.Detail(trial) is { } detail ? Json(detail) : NotFound(id + "/" + trial));
        app.MapGet("/api/studies/{id}/promotions/{bracket:long}", async (string id, long bracket, CancellationToken ct) =>
            await feeds.ViewAsync(id, ct).ConfigureAwait(false) is { } view ? Json(view.Promotions(bracket)) : NotFound(id));
        app.MapGet("/api/studies/{id}/devices", async (string id, CancellationToken ct) =>
            await feeds.ViewAsync(id, ct).ConfigureAwait(false) is { } view ? Json(view.Devices()) : NotFound(id));
        app.MapGet("/api/studies/{id}/analysis", async (string id, CancellationToken ct) =>
            await feeds.AnalysisAsync(id, ct).ConfigureAwait(false) is { } analysis ? Json(analysis) : NotFound(id));
        app.MapGet("/api/events", async (HttpContext context) =>
        {
            // Server-sent events: one "study" event per changed study, as its events are persisted.
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var cancellation = context.RequestAborted;
            await context.Response.WriteAsync(": connected\n\n", cancellation).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
            try
            {
                await foreach (var change in feeds.ChangesAsync(cancellation).ConfigureAwait(false))
                {
                    await context.Response.WriteAsync("event: study\ndata: " + JsonSerializer.Serialize(change, DashboardPage.Json) + "\n\n", cancellation).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The page went away.
            }
        });
    }

    private static IResult Json<T>(T value) => Results.Text(JsonSerializer.Serialize(value, DashboardPage.Json), "application/json", Encoding.UTF8);

    private static IResult NotFound(string what) => Results.NotFound(new { error = $"no study or trial {what}" });

    /// <summary>The table's query string: offset, limit, status, budget, bracket, sort, desc, and column with min/max or text.</summary>
    internal static TrialQuery ReadQuery(HttpRequest request)
    {
        var q = request.Query;
        double? Number(string key) => double.TryParse(q[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : null;
        var ranges = new List<RangeFilter>();
        if (q["column"].ToString() is { Length: > 0 } column)
        {
            ranges.Add(new RangeFilter(column, Number("min"), Number("max"), q["text"].ToString() is { Length: > 0 } text ? text : null));
        }

        return new TrialQuery
        {
            Offset = (int)(Number("offset") ?? 0),
            Limit = (int)(Number("limit") ?? 50),
            Status = q["status"].ToString() is { Length: > 0 } status ? status : null,
            Budget = Number("budget"),
            Bracket = Number("bracket") is { } bracket ? (long)bracket : null,
            SortBy = q["sort"].ToString() is { Length: > 0 } sort ? sort : null,
            Descending = q["desc"] == "true",
            Ranges = ranges,
        };
    }
}
