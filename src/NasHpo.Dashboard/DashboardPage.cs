using System.Reflection;
using System.Text;
using System.Text.Json;
using NasHpo.Analysis.Studies;

namespace NasHpo.Dashboard;

/// <summary>
/// The one page of the dashboard and the report (Assets/index.html, app.js, app.css, and plotly.js from the
/// Plotly.Blazor package), put together: live, the scripts are inlined and the page asks the server's API; as a
/// report, the study's data is inlined too, so the file opens from disk with no server and no network.
/// </summary>
internal static class DashboardPage
{
    /// <summary>JSON as the page reads it (camelCase), shared by the API and the report.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly Lazy<string> Template = new(() => Asset("index.html")
        .Replace("/*CSS*/", Asset("app.css"), StringComparison.Ordinal));

    /// <summary>
    /// The page the dashboard serves: it reads the study from the server, and loads plotly.js and the script as files
    /// (<see cref="Script"/>) that the browser caches. The script asks for the study at once and draws the first view
    /// before plotly.js is loaded (starting plotly.js takes most of a second on a small machine, and compiling it
    /// alongside would slow the first view down); then it loads plotly.js's basic bundle (1.1 MB: scatter and bar
    /// charts, a quarter of the full bundle's start-up time), and the full one (4.7 MB) when a view needs 3-D or
    /// parallel coordinates.
    /// </summary>
    public static string Live() => new StringBuilder(Template.Value)
        .Replace("<script>/*PLOTLY*/</script>", string.Empty)
        .Replace("/*DATA*/", "null")
        .Replace("<script>/*APP*/</script>", "<script src=\"app.js\"></script>")
        .ToString();

    /// <summary>The page's scripts by name, for the dashboard to serve; null for any other name.</summary>
    public static string? Script(string name) => Scripts.Contains(name) ? Asset(name) : null;

    /// <summary>The names <see cref="Script"/> serves.</summary>
    public static IReadOnlyList<string> Scripts { get; } = ["plotly-basic.min.js", "plotly.min.js", "app.js"];

    /// <summary>A self-contained report of one study.</summary>
    public static string Report(StudyReport report) =>
        Compose(JsonSerializer.Serialize(report, Json));

    private static string Compose(string data) => new StringBuilder(Template.Value)
        // Scripts and data go inside <script> elements: a "</" in them would end the element early.
        .Replace("/*DATA*/", Inert(data))
        .Replace("/*PLOTLY*/", Inert(Asset("plotly.min.js")))
        .Replace("/*APP*/", Inert(Asset("app.js")))
        .ToString();

    private static string Inert(string script) => script.Replace("</", "<\\/", StringComparison.Ordinal);

    private static string Asset(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the page asset {name} is not embedded in {typeof(DashboardPage).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
