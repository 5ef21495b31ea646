using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Akka.Configuration;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.Hosting;
using NasHpo.Cli.Engine;
using NasHpo.Dashboard;
using NasHpo.Training;

namespace NasHpo.Cli.Commands;

/// <summary>
/// nashpo serve --role coordinator|trainer|both [--hostname H] [--port P] [--seed-nodes ADDR,...] [--devices cpu:0,...]
/// [--http PORT [--http-bind ADDRESS]] (a coordinator's live dashboard of the cluster's studies)
/// [--db PATH] [--set KEY=VALUE]...: one long-lived node of a cluster, until SIGTERM or Ctrl+C; then it leaves gracefully.
/// </summary>
internal static partial class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var role = new Option<string>("--role") { Description = "coordinator (hosts the study manager singleton), trainer (runs trials on its devices), or both", DefaultValueFactory = _ => "both" };
        role.AcceptOnlyFromAmong("coordinator", "trainer", "both");
        var hostname = new Option<string?>("--hostname") { Description = "address to bind and advertise (default 127.0.0.1, from hocon/cluster.conf)" };
        var port = new Option<int?>("--port") { Description = "port to bind (default 4053; 0 picks a free one)" };
        var seeds = new Option<string?>("--seed-nodes") { Description = "nodes to join, akka.tcp://nashpo@HOST:PORT,... (default: form a new cluster)" };
        var devices = new Option<string>("--devices") { Description = "this node's devices, e.g. cpu:0,cpu:1,cuda:0 (trainers)", DefaultValueFactory = _ => "cpu:0" };
        var database = CommonOptions.Database();
        var set = new Option<string[]>("--set") { Description = "overrides a configuration key, e.g. --set akka.cluster.split-brain-resolver.stable-after=5s (repeatable)", AllowMultipleArgumentsPerToken = false };
        var http = new Option<int?>("--http") { Description = "a coordinator also serves the live dashboard of the cluster's studies on this HTTP port (see nashpo dashboard)" };
        var httpBind = new Option<string>("--http-bind") { Description = "the dashboard's address (default 127.0.0.1, this machine only; use an SSH tunnel from elsewhere)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Run one node of a cluster until SIGTERM or Ctrl+C, then leave it gracefully") { role, hostname, port, seeds, devices, database, set, http, httpBind };
        command.SetAction((parseResult, cancellation) => ExecuteAsync(
            console,
            new ServeArguments(
                parseResult.GetRequiredValue(role),
                parseResult.GetValue(hostname),
                parseResult.GetValue(port),
                parseResult.GetValue(seeds),
                parseResult.GetRequiredValue(devices),
                parseResult.GetRequiredValue(database),
                parseResult.GetValue(set) ?? [],
                parseResult.GetValue(http),
                parseResult.GetRequiredValue(httpBind)),
            cancellation));
        return command;
    }

    internal sealed record ServeArguments(string Role, string? Hostname, int? Port, string? SeedNodes, string Devices, string Database, string[] Set, int? Http = null, string HttpBind = "127.0.0.1");

    internal static async Task<int> ExecuteAsync(CliConsole console, ServeArguments arguments, CancellationToken cancellation)
    {
        IPAddress? httpAddress = null;
        if (arguments.Http is { } httpPort)
        {
            if (arguments.Role == ClusterNodeOptions.Trainer)
            {
                throw new UserErrorException("--http: a trainer holds no studies; serve the dashboard from a coordinator (--role coordinator or both)");
            }

            if (httpPort is < 0 or > 65535)
            {
                throw new UserErrorException($"--http: {httpPort} is not a port (0 to 65535)");
            }

            httpAddress = IPAddress.TryParse(arguments.HttpBind, out var parsed) ? parsed : throw new UserErrorException($"--http-bind: \"{arguments.HttpBind}\" is not an IP address");
        }

        var overrides = ParseSettings(arguments.Set);

        var options = new ClusterNodeOptions
        {
            Roles = arguments.Role == "both" ? [ClusterNodeOptions.Coordinator, ClusterNodeOptions.Trainer] : [arguments.Role],
            Hostname = arguments.Hostname,
            Port = arguments.Port is { } p and (< 0 or > 65535) ? throw new UserErrorException($"--port: {p} is not a port (0 to 65535)") : arguments.Port,
            SeedNodes = arguments.SeedNodes is { } seeds ? ParseSeeds(seeds) : null,
            Devices = ParseDevices(arguments.Devices),
            DatabasePath = arguments.Database,
            Overrides = overrides,
            LiveQueries = httpAddress is not null,
        };

        ClusterNode node;
        try
        {
            node = ClusterNode.Start(options);
        }
        catch (DatabaseUnavailableException error)
        {
            throw new UserErrorException(error.Message, error);
        }
        catch (Exception error) when (error.GetType().Name.Contains("Transport", StringComparison.Ordinal) || error.InnerException?.GetType().Name.Contains("Transport", StringComparison.Ordinal) == true)
        {
            throw new UserErrorException($"cannot start remoting on {arguments.Hostname ?? "the configured hostname"}:{arguments.Port?.ToString(CultureInfo.InvariantCulture) ?? "the configured port"}: {error.GetBaseException().Message}", error);
        }

        await using (node)
        {
            console.Out.WriteLine($"node {node.Address} serving as {string.Join(" and ", options.Roles)}; SIGTERM or Ctrl+C leaves the cluster");
            await using var dashboard = httpAddress is not null
                ? await StartDashboardAsync(node, httpAddress, arguments.Http!.Value, cancellation)
                : null;
            if (dashboard is not null)
            {
                console.Out.WriteLine($"dashboard of the cluster's studies at {dashboard.Address}");
            }

            var interrupted = Task.Delay(Timeout.Infinite, cancellation);
            var ended = await Task.WhenAny(node.System.WhenTerminated, interrupted);
            if (ended == interrupted)
            {
                console.Out.WriteLine($"node {node.Address} leaving the cluster");
                await node.LeaveAsync();
                console.Out.WriteLine($"node {node.Address} left the cluster");
                return ExitCodes.Success;
            }

            // Downed by the split-brain resolver (or removed): the actor system ended by itself.
            console.Error.WriteLine($"nashpo: node {node.Address} was removed from the cluster (downed or unreachable); exiting");
            return ExitCodes.InternalError;
        }
    }

    private static async Task<DashboardServer> StartDashboardAsync(ClusterNode node, IPAddress address, int port, CancellationToken cancellation)
    {
        try
        {
            return await DashboardServer.StartAsync(node.System, address, port, cancellation);
        }
        catch (IOException error)
        {
            throw new UserErrorException($"--http: cannot listen on {address}:{port}: {error.Message}", error);
        }
    }

    /// <summary>"cpu:0,cpu:1,cuda:0" → cpu-0, cpu-1, cuda-0; CUDA only where TorchSharp has it.</summary>
    internal static IReadOnlyList<string> ParseDevices(string devices)
    {
        var names = new List<string>();
        foreach (var item in devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = DevicePattern().Match(item);
            if (!match.Success)
            {
                throw new UserErrorException($"--devices: \"{item}\" is not a device (expected cpu:N or cuda:N, e.g. cpu:0,cpu:1)");
            }

            if (match.Groups[1].Value == "cuda" && !TrainingRuntime.CudaAvailable)
            {
                throw new UserErrorException($"--devices: {item} asked for, but TorchSharp has no CUDA device here (this build uses TorchSharp-cpu; on a GPU node build with -p:TorchBackend=cuda)");
            }

            var name = $"{match.Groups[1].Value}-{match.Groups[2].Value}";
            if (names.Contains(name))
            {
                throw new UserErrorException($"--devices: {item} is listed twice");
            }

            names.Add(name);
        }

        return names.Count > 0 ? names : throw new UserErrorException("--devices: empty (name at least one device, e.g. cpu:0)");
    }

    private static string[] ParseSeeds(string seeds)
    {
        var list = seeds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var seed in list)
        {
            if (!SeedPattern().IsMatch(seed))
            {
                throw new UserErrorException($"--seed-nodes: \"{seed}\" is not a node address (expected akka.tcp://nashpo@HOST:PORT)");
            }
        }

        return list;
    }

    private static Config? ParseSettings(string[] settings)
    {
        Config? config = null;
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UserErrorException($"--set: \"{setting}\" is not KEY=VALUE");
            }

            Config parsed;
            try
            {
                parsed = ConfigurationFactory.ParseString($"{setting[..equals].Trim()} = {setting[(equals + 1)..].Trim()}");
            }
            catch (Exception error) when (error is ConfigurationException or FormatException)
            {
                throw new UserErrorException($"--set: \"{setting}\": {error.Message.ReplaceLineEndings(" ")}", error);
            }

            // A later --set wins over an earlier one.
            config = config is null ? parsed : parsed.WithFallback(config);
        }

        return config;
    }

    [GeneratedRegex("^(cpu|cuda):([0-9]{1,3})$")]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"^akka(\.ssl)?\.tcp://nashpo@[^:/]+:[0-9]{1,5}$")]
    private static partial Regex SeedPattern();
}
