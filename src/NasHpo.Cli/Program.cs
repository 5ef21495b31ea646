using System.CommandLine;
using System.CommandLine.Invocation;
using NasHpo.Cli.Commands;

namespace NasHpo.Cli;

internal static class Program
{
    private const string Prefix = "nashpo: ";

    public static int Main(string[] args) => Run(args, new CliConsole(Console.In, Console.Out, Console.Error));

    /// <summary>Runs a command line in-process with no standard input.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, new CliConsole(TextReader.Null, stdout, stderr));

    /// <summary>
    /// Runs a command line in-process and returns its exit code (see <see cref="ExitCodes"/>). Every failure ends as
    /// exactly one line on stderr, prefixed "nashpo: ", never a stack trace.
    /// </summary>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            var parseResult = BuildRootCommand(console).Parse(args);

            // The library's own parse-error action prints the errors and the whole help text with exit code 1; a
            // usage mistake here is one line and exit code 2 like every other user error.
            if (parseResult.Action is ParseErrorAction)
            {
                var errors = string.Join("; ", parseResult.Errors.Select(e => e.Message.TrimEnd('.')));
                throw new UserErrorException($"{errors} (see 'nashpo --help')");
            }

            var invocation = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,

                // Ctrl+C and SIGTERM cancel the command's token; a running study then stops its trials and shuts
                // the engine down, which needs more than the library's default two seconds on a slow disk.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            };
            return parseResult.Invoke(invocation);
        }
        catch (UserErrorException e)
        {
            WriteError(console, e.Message);
            return ExitCodes.UserError;
        }
        catch (OperationCanceledException)
        {
            WriteError(console, "interrupted");
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The outermost boundary: any other exception is a bug, reported in one line with exit code 1.
        catch (Exception e)
#pragma warning restore CA1031
        {
            WriteError(console, $"internal error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The root command; a new command is one class in Commands/ and one line here.</summary>
    internal static RootCommand BuildRootCommand(CliConsole console) =>
        new("Multi-objective neural architecture search and hyperparameter optimization")
        {
            RunCommand.Create(console),
            ResumeCommand.Create(console),
            StatusCommand.Create(console),
            ReportCommand.Create(console),
            DashboardCommand.Create(console),
            VerifyCommand.Create(console),
            CopyCommand.Create(console),
            HypervolumeCommand.Create(console),
            ParetoCommand.Create(console),
            CompareCommand.Create(console),
            TabularCommand.Create(console),
            ServeCommand.Create(console),
            SubmitCommand.Create(console),
            CancelCommand.Create(console),
        };

    private static void WriteError(CliConsole console, string message)
    {
        var oneLine = message.ReplaceLineEndings(" ").Trim();
        console.Error.WriteLine(Prefix + oneLine);
    }
}
