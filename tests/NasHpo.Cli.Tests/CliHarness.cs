namespace NasHpo.Cli.Tests;

/// <summary>What one in-process run of the CLI produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Lines(Stdout);

    public string[] StderrLines => Lines(Stderr);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>Runs the CLI in-process and holds a scratch folder for input files.</summary>
internal sealed class CliHarness : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("nashpo-cli-tests-").FullName;

    public string Directory => _directory;

    public static CliResult RunWithInput(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = Program.Run(args, new CliConsole(input, output, error));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static CliResult Run(params string[] args) => RunWithInput(string.Empty, args);

    /// <summary>Writes a file into the scratch folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
