using Microsoft.Playwright;

namespace NasHpo.Cli.Tests.Dashboard;

/// <summary>Headless Chromium for the page tests, with the flags a machine with no outside network needs.</summary>
internal static class Browser
{
    public static string? ExecutablePath { get; } =
        Environment.GetEnvironmentVariable("NASHPO_CHROMIUM") is { Length: > 0 } named ? named
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : null;

    /// <summary>Where the screenshots of each view go (test artifacts, beside the test assembly).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard")).FullName;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath ?? throw new InvalidOperationException("no Chromium (apt-get install chromium)"),
            Headless = true,

            // Without the last five Chromium tries Google's services at start and keeps retrying on a closed network;
            // software WebGL (SwiftShader) draws the 3-D front on a machine with no GPU.
            Args = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }

    /// <summary>The number the page wrote into an element's data attribute (-1 when it has not).</summary>
    public static async Task<int> DataAsync(IPage page, string selector, string attribute) =>
        await page.EvaluateAsync<int>($"() => Number(document.querySelector('{selector}')?.dataset['{attribute}'] ?? -1)");

    /// <summary>How many points the Pareto plot draws in its traces named like <paramref name="traceName"/>.</summary>
    public static async Task<int> PlottedPointsAsync(IPage page, string traceName) =>
        await page.EvaluateAsync<int>($"() => document.getElementById('front-plot').data.filter(t => t.name.startsWith('{traceName}')).reduce((n, t) => n + t.x.length, 0)");

    public static async Task ShowAsync(IPage page, string view)
    {
        await page.ClickAsync($"#tabs button[data-view={view}]");
        await page.WaitForSelectorAsync($"#view-{view}.active");
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });
}
