using System.Net;
using Microsoft.Playwright;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.ReadSide;
using NasHpo.Cli.Engine;
using NasHpo.Cli.Tests.Command;
using NasHpo.Cli.Tests.EndToEnd;
using NasHpo.Dashboard;

namespace NasHpo.Cli.Tests.Dashboard;

/// <summary>
/// The dashboard and the report page in a real browser (headless Chromium through Playwright): the dashboard beside a
/// study that a real `nashpo run` process is running, and report.html from disk with the network cut. Screenshots of
/// every view are written to artifacts/dashboard beside the test assembly.
/// </summary>
public sealed class DashboardBrowserTests : IDisposable
{
    private const int Evaluations = 40;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("nashpo-dashboard-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Study(int evaluations) => CommandExample.Study(
        string.Empty,
        $"devices = 2\noptimizer {{ type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }}\nstop {{ max-evaluations = {evaluations} }}");

    [ChromiumFact]
    public async Task The_dashboard_of_a_running_study_shows_its_front_pushes_new_evaluations_filters_trials_and_draws_learning_curves()
    {
        var definition = Path.Combine(_directory, "study.conf");
        await File.WriteAllTextAsync(definition, Study(Evaluations));
        var database = Path.Combine(_directory, "studies.db");
        using var run = NashpoProcess.Start(_directory, "run", definition, "--db", database, "--study-id", "live");
        await run.StudyStarted.WaitAsync(Limit);

        await using var session = JournalSession.Open(JournalSettings.Parse(database), live: true);
        await using var server = await DashboardServer.StartAsync(session.System, IPAddress.Loopback, 0);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        await page.GotoAsync(new Uri(server.Address, "#study=live&view=front").ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });

        // A new evaluation appears without reloading: the page keeps a mark that a reload would wipe.
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var before = await Browser.DataAsync(page, "body", "evaluations");
        Assert.InRange(before, 0, Evaluations - 1);
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.evaluations) > {before}", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");

        // The study ends; the page follows it there by itself.
        var (exitCode, _, stderr) = await run.WaitAsync(Limit);
        Assert.True(exitCode == 0, stderr);
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.evaluations) === {Evaluations}", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        await Browser.ScreenshotAsync(page, "front");

        // The journal read on its own, to check what the page shows against.
        var record = await session.ReadStudyAsync("live", CancellationToken.None);
        Assert.Equal(record.ParetoFront().Count, await Browser.PlottedPointsAsync(page, "front at budget 9 "));

        // The trial table: all trials, then a filter narrows it to exactly the trials it names.
        await Browser.ShowAsync(page, "trials");
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('trials-table').dataset.total) === {record.Trials.Count}");
        await page.SelectOptionAsync("#f-status", "completed");
        await page.SelectOptionAsync("#f-column", "x");
        await page.FillAsync("#f-max", "1");
        await page.ClickAsync("#f-apply");
        var expected = record.Trials.Count(t => t.Completed is not null && t.Scheduled.Request.Configuration.Values["x"].Number <= 1);
        Assert.InRange(expected, 1, record.Trials.Count - 1);
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('trials-table').dataset.total) === {expected}");
        await Browser.ScreenshotAsync(page, "trials");

        // The trial page of a trial trained to the top budget: its learning curve has one point per epoch.
        var top = record.Trials.First(t => t.Completed is not null && t.Id.Budget == 9 && t.Scheduled.Request.Configuration.Values["x"].Number <= 1);
        await page.SelectOptionAsync("#f-budget", "9");
        await page.ClickAsync("#f-apply");
        await page.ClickAsync($"#trials-table tr[data-trial='{top.Id}']");
        await page.WaitForSelectorAsync("#view-trial.active #trial-curve .main-svg");
        Assert.Equal(top.Completed!.Curve.Count, await Browser.DataAsync(page, "#trial-curve", "points"));
        Assert.True(top.Completed.Curve.Count >= 1);
        Assert.Contains(top.Id.ToString(), await page.InnerTextAsync("#trial-body h3"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "trial");

        await ShowEveryOtherViewAsync(page, record.Archive.Count, "dashboard-");
    }

    [ChromiumFact]
    public async Task The_report_opens_from_disk_with_the_network_cut_and_shows_every_view()
    {
        var definition = Path.Combine(_directory, "study.conf");
        await File.WriteAllTextAsync(definition, Study(24));
        var database = Path.Combine(_directory, "studies.db");
        var (exitCode, _, stderr) = await NashpoProcess.RunAsync(_directory, Limit, "run", definition, "--db", database, "--study-id", "done");
        Assert.True(exitCode == 0, stderr);
        var reportDirectory = Path.Combine(_directory, "report");
        var harness = CliHarness.Run("report", "done", "--db", database, "--out", reportDirectory);
        Assert.True(harness.ExitCode == 0, harness.Stderr);
        Assert.True(File.Exists(Path.Combine(reportDirectory, "hypervolume.png")));
        Assert.NotEmpty(Directory.GetFiles(reportDirectory, "pareto-front-b*.png"));

        StudyRecord record;
        await using (var session = JournalSession.Open(JournalSettings.Parse(database)))
        {
            record = await session.ReadStudyAsync("done", CancellationToken.None);
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Offline = true, ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        var requests = new List<string>();
        context.Request += (_, request) => requests.Add(request.Url);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Path.Combine(reportDirectory, "report.html")).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));

        Assert.Equal(record.Completed + record.FailedCount, await Browser.DataAsync(page, "body", "evaluations"));
        Assert.Equal(record.ParetoFront().Count, await Browser.PlottedPointsAsync(page, "front at budget 9 "));
        await Browser.ScreenshotAsync(page, "report-front");

        await Browser.ShowAsync(page, "trials");
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('trials-table').dataset.total) === {record.Trials.Count}");
        await page.SelectOptionAsync("#f-budget", "9");
        await page.ClickAsync("#f-apply");
        var atTop = record.Trials.Count(t => t.Id.Budget == 9);
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('trials-table').dataset.total) === {atTop}");
        await page.ClickAsync("#trials-table tr.link");
        await page.WaitForSelectorAsync("#view-trial.active #trial-curve .main-svg");
        await Browser.ScreenshotAsync(page, "report-trial");

        await ShowEveryOtherViewAsync(page, record.Archive.Count, "report-");
        Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
    }

    [ChromiumFact]
    public async Task Three_objectives_load_the_full_plotly_bundle_for_parallel_coordinates_and_the_3d_front()
    {
        var definition = Path.Combine(_directory, "dtlz2.conf");
        await File.WriteAllTextAsync(definition, """
            study {
              seed = 7
              devices = 2
              problem { type = dtlz2, dimensions = 5, objectives = 3 }
              optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
              stop { max-evaluations = 60 }
            }
            """);
        var database = Path.Combine(_directory, "studies.db");
        var run = CliHarness.Run("run", definition, "--db", database, "--study-id", "three");
        Assert.True(run.ExitCode == 0, run.Stderr);

        await using var session = JournalSession.Open(JournalSettings.Parse(database), live: true);
        await using var server = await DashboardServer.StartAsync(session.System, IPAddress.Loopback, 0);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 1100 } });
        await page.GotoAsync(new Uri(server.Address, "#study=three&view=front").ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });

        // The page starts with plotly.js's basic bundle, which has no parallel coordinates: they are drawn, so the
        // full bundle was loaded for them.
        await page.WaitForSelectorAsync("#front-parcoords .parcoords", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var record = await session.ReadStudyAsync("three", CancellationToken.None);
        Assert.Equal(record.ParetoFront().Count, await Browser.PlottedPointsAsync(page, "front at budget 9 "));
        // The 3-D front: every trace a 3-D scatter, drawn in a WebGL scene (Chromium's software WebGL here).
        await page.CheckAsync("#front-3d");
        await page.WaitForFunctionAsync("() => document.getElementById('front-plot').data.every(t => t.type === 'scatter3d') && document.querySelector('#front-plot canvas') !== null", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal(record.ParetoFront().Count, await Browser.PlottedPointsAsync(page, "front at budget 9 "));
        await Browser.ScreenshotAsync(page, "front-three-objectives");
    }

    /// <summary>Hypervolume, promotions, devices and importance each draw something, with a screenshot of each.</summary>
    private static async Task ShowEveryOtherViewAsync(IPage page, int archived, string prefix)
    {
        await Browser.ShowAsync(page, "hypervolume");
        await page.WaitForSelectorAsync("#hv-plot .main-svg");
        Assert.InRange(await Browser.DataAsync(page, "#hv-plot", "points"), 1, archived);
        await Browser.ScreenshotAsync(page, prefix + "hypervolume");

        await Browser.ShowAsync(page, "promotions");
        await page.WaitForSelectorAsync("#promotions-table tr:nth-child(2)");
        Assert.Contains("successive halving", await page.InnerTextAsync("#promotion-rule"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, prefix + "promotions");

        await Browser.ShowAsync(page, "devices");
        await page.WaitForSelectorAsync("#devices-plot .main-svg");
        Assert.Equal(2, await page.Locator("#devices-table tr").CountAsync() - 1);
        await Browser.ScreenshotAsync(page, prefix + "devices");

        await Browser.ShowAsync(page, "analysis");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('importance-plot').dataset.budgets) >= 1");
        await Browser.ScreenshotAsync(page, prefix + "importance");

        await Browser.ShowAsync(page, "studies");
        await page.WaitForSelectorAsync("#studies-table tr.link");
        await Browser.ScreenshotAsync(page, prefix + "studies");
    }

}
