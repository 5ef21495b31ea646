namespace NasHpo.Cli.Tests.Dashboard;

/// <summary>
/// A fact that drives Debian's Chromium (package chromium, /usr/bin/chromium, or the browser NASHPO_CHROMIUM names)
/// through Playwright. Where there is none the test is reported as skipped; under CI (CI=true) it is not skipped,
/// so a browser that .ci/run failed to install fails loudly.
/// </summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Browser.ExecutablePath is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "no Chromium: apt-get install chromium (or set NASHPO_CHROMIUM to a Chromium executable)";
        }
    }
}
