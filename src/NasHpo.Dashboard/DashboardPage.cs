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
public static class DashboardPage
{
    /// <summary>JSON as the page reads it (camelCase), shared by the API and the report.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly Lazy<string> Template = new(() => Asset("index.html")
        .Replace("/*CSS*/", Asset("app.css"), StringComparison.Ordinal));

    /// <summary>The page the dashboard serves: it reads the study from the server.</summary>
    public static string Live() => Compose("null");

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
