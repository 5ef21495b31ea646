using System.Text.Json;
using System.Text.RegularExpressions;

namespace NasHpo.Cli.Tests.Packages;

/// <summary>
/// The packages as a user gets them: a console project of its own, outside this repository, references NasHpo.Actors
/// from a folder feed made by <c>dotnet pack</c> and runs studies in-process; the <c>nashpo</c> tool, installed from
/// the same feed, reads them back and runs a study of its own. Slow (one pack of every package, about 150 MB for the
/// tool, and two restores), so everything shares one pack and one install.
/// </summary>
[Trait("Kind", "package-end-to-end")]
public sealed class PackageTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private const string StudyFile = """
        study {
          seed = 7
          devices = 2
          problem { type = external }
          objectives = [{ name = loss }, { name = size }]
          reference-point = [10, 10]
          search-space {
            x { type = float, lower = 0, upper = 1 }
            y { type = float, lower = 0, upper = 1 }
          }
          optimizer { type = hyperband, min-budget = 1, max-budget = 9, eta = 3 }
          stop { max-evaluations = 12 }
        }
        """;

    /// <summary>The README's two ways, as a user copies them: an objective the engine calls, and ask-and-tell.</summary>
    private const string Program = """
        using NasHpo;
        using NasHpo.Configuration;

        var definition = StudyDefinitionReader.Load("study.conf", []);
        static Dictionary<string, double> Evaluate(Trial trial)
        {
            var x = trial.Configuration.GetDouble("x");
            var y = trial.Configuration.GetDouble("y");
            return new() { ["loss"] = x + (y * y) / trial.Budget, ["size"] = 1 - x };
        }

        await using (var study = await Study.OpenAsync(definition, "studies.db", "objective"))
        {
            var final = await study.OptimizeAsync((trial, cancellation) => Task.FromResult<IReadOnlyDictionary<string, double>>(Evaluate(trial)));
            Console.WriteLine($"objective: {final.Evaluations} evaluations");
        }

        await using (var study = await Study.OpenAsync(definition, "studies.db", "ask-and-tell"))
        {
            var told = 0;
            while (await study.AskAsync() is { } trial)
            {
                await study.TellAsync(trial, Evaluate(trial));
                told++;
            }

            Console.WriteLine($"ask-and-tell: {told} told");
        }
        """;

    [Fact]
    public async Task A_console_project_runs_studies_from_the_packed_library_and_the_installed_tool_reads_them_back()
    {
        var consumer = Directory.CreateDirectory(Path.Combine(packages.Root.FullName, "consumer")).FullName;
        // Its own nuget.config adds the feed and clears nothing, so the machine's usual sources serve the rest
        // (Akka, SQLite, ...). Empty Directory.Build files keep any folder above it out of its build.
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="nashpo-packed" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NasHpo.Actors" Version="{packages.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), Program);
        File.WriteAllText(Path.Combine(consumer, "study.conf"), StudyFile);

        await PackedPackages.Run(consumer, Limit, "dotnet", "build", "-c", "Release", "-o", "out", "-nodeReuse:false", "--disable-build-servers", "-nologo");
        // The engine package does not bring TorchSharp (about a gigabyte of libtorch) to a program that trains nothing.
        Assert.True(File.Exists(Path.Combine(consumer, "out", "NasHpo.Actors.dll")));
        Assert.False(File.Exists(Path.Combine(consumer, "out", "TorchSharp.dll")), "TorchSharp came with NasHpo.Actors");
        Assert.False(File.Exists(Path.Combine(consumer, "out", "NasHpo.Training.dll")), "NasHpo.Training came with NasHpo.Actors");

        var output = await PackedPackages.Run(consumer, Limit, "dotnet", Path.Combine("out", "consumer.dll"));
        Assert.Contains("objective: 12 evaluations", output, StringComparison.Ordinal);
        Assert.Contains("ask-and-tell: 12 told", output, StringComparison.Ordinal);

        var database = Path.Combine(consumer, "studies.db");
        foreach (var id in new[] { "objective", "ask-and-tell" })
        {
            using var status = JsonDocument.Parse(await PackedPackages.Run(consumer, Limit, packages.Tool, "status", id, "--db", database, "--json"));
            Assert.Equal(id, status.RootElement.GetProperty("studyId").GetString());
            Assert.Equal("finished", status.RootElement.GetProperty("state").GetString());
            Assert.Equal(12, status.RootElement.GetProperty("evaluations").GetInt32());
            Assert.Equal(12, status.RootElement.GetProperty("trials").GetProperty("completed").GetInt32());
        }
    }

    [Fact]
    public async Task The_installed_tool_tells_its_version_and_runs_a_synthetic_study()
    {
        // The tool's platform package is built while packing, so the command carries the package's whole version.
        var version = await PackedPackages.Run(packages.Root.FullName, Limit, packages.Tool, "--version");
        Assert.Matches($@"^{Regex.Escape(packages.Version)}(\+[0-9a-f]+)?$", version.Trim());

        var work = Directory.CreateDirectory(Path.Combine(packages.Root.FullName, "zdt1")).FullName;
        var zdt1 = Path.Combine(PackedPackages.Repository, "hocon", "studies", "zdt1.conf");
        await PackedPackages.Run(work, Limit, packages.Tool, "run", zdt1, "--study-id", "zdt1", "--db", "zdt1.db", "--set", "stop.max-evaluations=20");

        using var status = JsonDocument.Parse(await PackedPackages.Run(work, Limit, packages.Tool, "status", "zdt1", "--db", "zdt1.db", "--json"));
        Assert.Equal("finished", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(20, status.RootElement.GetProperty("evaluations").GetInt32());
        Assert.Equal(20, status.RootElement.GetProperty("trials").GetProperty("completed").GetInt32());
    }

    /// <summary>The tool's own copy of libLibTorchSharp.so loads here (Debian 12's libstdc++ needs it patched).</summary>
    [RealFashionMnistFact]
    public async Task The_installed_tool_trains_networks()
    {
        var work = Directory.CreateDirectory(Path.Combine(packages.Root.FullName, "training")).FullName;
        File.WriteAllText(Path.Combine(work, "tiny.conf"), $$"""
            study {
              seed = 3
              devices = 1
              problem { type = fashion-mnist, train-subset = 256, validation-subset = 128, test-subset = 128, image-size = 8 }
              {{TinyConvNetSpace.Hocon}}
              optimizer { type = random, min-budget = 1, max-budget = 1 }
              stop { max-evaluations = 2 }
            }
            """);

        await PackedPackages.Run(work, Limit, packages.Tool, "run", "tiny.conf", "--study-id", "tiny", "--db", "tiny.db");

        using var status = JsonDocument.Parse(await PackedPackages.Run(work, Limit, packages.Tool, "status", "tiny", "--db", "tiny.db", "--json"));
        Assert.Equal(2, status.RootElement.GetProperty("trials").GetProperty("completed").GetInt32());
        Assert.Equal(0, status.RootElement.GetProperty("trials").GetProperty("failed").GetInt32());
    }
}
