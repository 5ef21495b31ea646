using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace NasHpo.Cli.Tests.Packages;

/// <summary>
/// Packs every package of the solution once (from the build the tests already made: <c>--no-build</c>) into a folder
/// feed, and installs the <c>nashpo</c> tool from it into a tool path, both in a temporary folder. The version gets a
/// suffix of its own, so NuGet's global package cache never hands back a package packed by an earlier run; what this
/// run put in that cache is removed at the end.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public const string ToolId = "nashpo";

    /// <summary>The platform the tool is packed and installed for (the machines that run these tests).</summary>
    private const string ToolPlatform = "linux-x64";

    private const string PlatformToolId = ToolId + "." + ToolPlatform;
    internal static readonly string[] LibraryIds = ["NasHpo.Core", "NasHpo.Configuration", "NasHpo.Actors", "NasHpo.Training"];
    // The pack builds the command line for the tool's platform: on a loaded 2-core machine that passed 8 minutes.
    private static readonly TimeSpan PackLimit = TimeSpan.FromMinutes(15);

    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("nashpo-packages-");

    public string Feed => Path.Combine(Root.FullName, "feed");

    public string Version { get; private set; } = "";

    /// <summary>The installed tool's command (its shim in the tool path).</summary>
    public string Tool => Path.Combine(Root.FullName, "tool", ToolId);

    public static string Repository { get; } = FindRepository();

    /// <summary>The configuration this test assembly was built in; the packages are packed from the same build.</summary>
    public static string Configuration { get; } =
        typeof(PackedPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BuildConfiguration").Value!;

    public async Task InitializeAsync()
    {
        var suffix = $"e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        // No build: the solution's build is what is packed, and a second build here would race the test run for the
        // same obj/ and bin/ folders. The tool's platform package alone builds the command line for its platform,
        // into folders of that platform (obj/.../linux-x64), and publishes to a folder of this test's own.
        await Run(Repository, PackLimit, "dotnet", "pack", Path.Combine(Repository, "NasHpo.Actors.sln"), "-c", Configuration, "--no-build",
            $"-p:PackageOutputPath={Feed}/", $"-p:VersionSuffix={suffix}", $"-p:PublishDir={Path.Combine(Root.FullName, "publish")}/",
            // The tool is packed for this machine's platform only: the others are the same build for another
            // platform, and each would add a build of the command line and a libtorch to pack.
            $"-p:ToolPackageRuntimeIdentifiers={ToolPlatform}",
            "-nodeReuse:false", "--disable-build-servers", "-nologo");
        var actors = Directory.GetFiles(Feed, "NasHpo.Actors.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(actors)["NasHpo.Actors.".Length..];
        Assert.EndsWith(suffix, Version, StringComparison.Ordinal);
        foreach (var id in LibraryIds.Append(ToolId).Append(PlatformToolId))
        {
            Assert.True(File.Exists(Path.Combine(Feed, $"{id}.{Version}.nupkg")), $"no package {id} {Version} in {Feed}: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        }

        // The package `nashpo` only points to the platform's package, which carries the command and libtorch.
        Assert.True(new FileInfo(Path.Combine(Feed, $"{ToolId}.{Version}.nupkg")).Length < 1_000_000, "the tool's pointer package carries more than its settings");

        await Run(Root.FullName, PackLimit, "dotnet", "tool", "install", "--tool-path", Path.Combine(Root.FullName, "tool"),
            "--add-source", Feed, ToolId, "--version", Version);
    }

    public Task DisposeAsync()
    {
        // The consumer project's restore put this run's library packages into the global cache; nothing else did.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in LibraryIds.Append(ToolId).Append(PlatformToolId))
        {
            var folder = Path.Combine(cache, id.ToLowerInvariant(), Version.ToLowerInvariant());
            if (Version.Length > 0 && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        Root.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs a program to its end; a non-zero exit fails the test with the program's output.</summary>
    public static async Task<string> Run(string workingDirectory, TimeSpan limit, string program, params string[] args)
    {
        var (exitCode, output) = await RunAllowingFailure(workingDirectory, limit, program, args);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', args)} exited {exitCode}:\n{output}");
        return output;
    }

    public static async Task<(int ExitCode, string Output)> RunAllowingFailure(string workingDirectory, TimeSpan limit, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program == "dotnet" ? DotnetHost : program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        // The tool's shim finds the runtime through DOTNET_ROOT when dotnet is not where the shim looks by default.
        if (Path.IsPathRooted(DotnetHost))
        {
            var host = new FileInfo(DotnetHost);
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? host.FullName);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // MSBuild started by this test must not hand work to (or leave behind) nodes of the test run's own build.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {limit}:\n{await stdout}\n{await stderr}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The dotnet that runs the tests (dotnet test sets DOTNET_HOST_PATH), else the one on the PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NasHpo.Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no NasHpo.Actors.sln above {AppContext.BaseDirectory}");
    }
}
