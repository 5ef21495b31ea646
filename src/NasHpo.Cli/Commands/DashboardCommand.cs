using System.CommandLine;
using System.Net;
using NasHpo.Cli.Engine;
using NasHpo.Dashboard;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo dashboard [--db PATH|URL] [--port P] [--bind ADDRESS]: serves the live dashboard of every study in a
/// database, on 127.0.0.1 unless another address is asked for, until Ctrl+C. It only reads the journal, so it runs
/// beside a running <c>nashpo run</c> (another process) and after it.
/// </summary>
internal static class DashboardCommand
{
    public const int DefaultPort = 8050;

    public static Command Create(CliConsole console)
    {
        var database = CommonOptions.Database();
        var port = new Option<int>("--port") { Description = $"the HTTP port (default {DefaultPort}; 0 picks a free one)", DefaultValueFactory = _ => DefaultPort };
        var bind = new Option<string>("--bind")
        {
            Description = "the address to listen on (default 127.0.0.1, this machine only: from elsewhere, use an SSH tunnel; " +
                "0.0.0.0 serves every network the machine is on, with no authentication)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var command = new Command("dashboard", "Serve a live web dashboard of the studies in a database") { database, port, bind };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            CommonOptions.Journal(parseResult.GetRequiredValue(database)),
            parseResult.GetValue(port),
            parseResult.GetRequiredValue(bind),
            cancellation));
        return command;
    }

    internal static async Task<int> ExecuteAsync(CliConsole console, Actors.Hosting.JournalSettings journal, int port, string bind, CancellationToken cancellation)
    {
        if (!IPAddress.TryParse(bind, out var address))
        {
            throw new UserErrorException($"--bind: \"{bind}\" is not an IP address (for example 127.0.0.1 or 0.0.0.0)");
        }

        if (port is < 0 or > 65535)
        {
            throw new UserErrorException($"--port: {port} is not a port number (0 to 65535)");
        }

        await using var session = JournalSession.Open(journal, live: true);
        DashboardServer server;
        try
        {
            server = await DashboardServer.StartAsync(session.System, address, port, cancellation).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            throw new UserErrorException($"cannot listen on {bind}:{port}: {error.Message} (another program may use the port: --port picks another)", error);
        }

        await using (server.ConfigureAwait(false))
        {
            console.Out.WriteLine($"dashboard of {journal.Display} at {server.Address} (Ctrl+C stops it)");
            console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal end.
            }
        }

        return ExitCodes.Success;
    }
}
