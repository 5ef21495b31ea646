using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NasHpo.Benchmarks.Chaos;

/// <summary>One `nashpo serve` process of a chaos cluster, on loopback.</summary>
internal sealed record ChaosNode(string Name, int Port, ChaosProcess Process)
{
    /// <summary>host:port, as clients name a coordinator (--cluster).</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The node's Akka address, as seed nodes and cluster log lines name it.</summary>
    public string AkkaAddress => "akka.tcp://nashpo@" + Address;
}

/// <summary>
/// A loopback cluster of real `nashpo serve` processes on one journal: coordinators (the oldest living one holds the
/// singleton) and trainers with two CPU devices each, started, killed and replaced as an operator would. Every node
/// names the first coordinator ever started as its first seed, as a cluster's fixed seed list does (it also names the
/// cluster's lease group, so a successor singleton takes the studies' leases over at once), followed by the living
/// coordinators it can join through. A node silent for 6 s is unreachable, and downed 3 s later.
/// </summary>
internal sealed class ChaosCluster(string nashpo, string directory, string database, TimeSpan startLimit) : IDisposable
{
    // Quicker than the defaults, so that a fault is detected in seconds, but more patient than the cluster tests': with
    // a 3 s pause, a two-core machine at load 30 once made a trainer and both coordinators unreachable at the same time,
    // and keep-majority, counting the trainers, downed the coordinators (the cluster could not be repaired).
    private static readonly string[] Timings =
    [
        "--set", "akka.cluster.split-brain-resolver.stable-after=3s",
        "--set", "akka.cluster.failure-detector.acceptable-heartbeat-pause=6s",
        "--set", "nashpo.cluster.leave-timeout=10s",
    ];

    private readonly List<ChaosNode> _coordinators = [];
    private readonly List<ChaosNode> _trainers = [];
    private readonly List<ChaosNode> _everyNode = [];
    private string? _firstSeed;
    private int _started;

    /// <summary>Living coordinators, oldest first: the first holds the singleton (or is taking it over).</summary>
    public IReadOnlyList<ChaosNode> Coordinators => _coordinators;

    public IReadOnlyList<ChaosNode> Trainers => _trainers;

    public ChaosNode Holder => _coordinators[0];

    public async Task<ChaosNode> StartCoordinatorAsync()
    {
        var node = Launch("coordinator", ["--role", "coordinator", .. SeedArguments()]);
        _firstSeed ??= node.AkkaAddress;
        await ExpectAsync(node, "serving as coordinator");
        _coordinators.Add(node);
        return node;
    }

    /// <summary>A trainer with two CPU devices; returns once a coordinator says its devices joined the pool.</summary>
    public async Task<ChaosNode> StartTrainerAsync()
    {
        var marks = Marks();
        // serialize-messages stays off: with two coordinators an Akka-internal message does not survive it (see LocalCluster).
        var node = Launch("trainer", ["--role", "trainer", "--devices", "cpu:0,cpu:1", "--set", "akka.actor.serialize-messages=off", .. SeedArguments()]);
        _trainers.Add(node);
        if (!await WaitForLineAsync($"from {node.AkkaAddress} joined", marks, startLimit, IsCoordinator))
        {
            throw new InvalidOperationException($"{node.Name}: its devices did not join within {startLimit}; its last lines:\n{node.Process.Tail()}\n{CoordinatorTails()}");
        }

        return node;
    }

    /// <summary>SIGKILL, and the node forgotten; the caller starts its replacement.</summary>
    public void Kill(ChaosNode node)
    {
        node.Process.Kill();
        _coordinators.Remove(node);
        _trainers.Remove(node);
    }

    /// <summary>Forgets a node that ended by itself (a downed trainer, once thawed).</summary>
    public void Forget(ChaosNode node)
    {
        _coordinators.Remove(node);
        _trainers.Remove(node);
    }

    /// <summary>How many lines each node has printed so far: where <see cref="WaitForLineAsync"/> starts reading.</summary>
    public IReadOnlyDictionary<ChaosNode, int> Marks() => _everyNode.ToDictionary(n => n, n => n.Process.LineCount);

    /// <summary>
    /// Whether any living node that <paramref name="watch"/> selects printed a line containing <paramref name="text"/>
    /// after its mark in <paramref name="marks"/> (nodes started since are read from their first line).
    /// </summary>
    public async Task<bool> WaitForLineAsync(string text, IReadOnlyDictionary<ChaosNode, int> marks, TimeSpan limit, Func<ChaosNode, bool> watch)
    {
        var deadline = DateTime.UtcNow + limit;
        do
        {
            foreach (var node in _coordinators.Concat(_trainers).Where(watch).ToArray())
            {
                if (await node.Process.WaitForLineAsync(text, TimeSpan.Zero, marks.GetValueOrDefault(node)))
                {
                    return true;
                }
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    public bool IsCoordinator(ChaosNode node) => _coordinators.Contains(node);

    /// <summary>
    /// A client command (submit, status) against a living coordinator, tried on each in turn for up to
    /// <paramref name="limit"/>: during a hand-over one may not answer.
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> ClientAsync(TimeSpan limit, params string[] args)
    {
        var deadline = DateTime.UtcNow + limit;
        (int ExitCode, string Stdout, string Stderr) last = (-1, "", "no coordinator");
        for (var attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            var coordinators = _coordinators.ToArray();
            if (coordinators.Length > 0)
            {
                try
                {
                    last = await ChaosProcess.RunAsync(nashpo, directory, TimeSpan.FromSeconds(60), [.. args, "--cluster", coordinators[attempt % coordinators.Length].Address]);
                    // A refusal (a study id taken) is the cluster's answer; no answer (exit 2 too) or a failed client is tried again.
                    if (last.ExitCode == 0 || last.Stderr.Contains("refused", StringComparison.Ordinal))
                    {
                        return last;
                    }
                }
                catch (TimeoutException error)
                {
                    last = (-1, "", error.Message);
                }
            }

            await Task.Delay(1000);
        }

        return last;
    }

    public string CoordinatorTails() => string.Join("\n", _coordinators.Select(c => $"--- {c.Name}\n{c.Process.Tail(15)}"));

    private string[] SeedArguments()
    {
        var seeds = (_firstSeed is null ? [] : new[] { _firstSeed }).Concat(_coordinators.Select(c => c.AkkaAddress)).Distinct(StringComparer.Ordinal).ToArray();
        return seeds.Length == 0 ? [] : ["--seed-nodes", string.Join(',', seeds)];
    }

    private ChaosNode Launch(string role, string[] args)
    {
        var port = FreePort();
        var name = string.Create(CultureInfo.InvariantCulture, $"{role}-{++_started}");
        var process = ChaosProcess.Start(nashpo, directory,
        [
            "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--db", database,
            "--set", $"nashpo.cluster.checkpoint-directory=\"{Path.Combine(directory, "checkpoints")}\"",
            .. Timings, .. args,
        ]);
        var node = new ChaosNode(name, port, process);
        _everyNode.Add(node);
        return node;
    }

    private async Task ExpectAsync(ChaosNode node, string text)
    {
        if (!await node.Process.WaitForLineAsync(text, startLimit))
        {
            throw new InvalidOperationException($"{node.Name}: no \"{text}\" within {startLimit}; its last lines:\n{node.Process.Tail()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Every node ever started is killed (thawed first, so that a frozen one can die); each node's output is left in
    /// logs/NAME.log of the scratch folder, for a run that is not clean.
    /// </summary>
    public void Dispose()
    {
        var logs = Directory.CreateDirectory(Path.Combine(directory, "logs")).FullName;
        foreach (var node in _everyNode)
        {
            if (!node.Process.HasExited)
            {
                node.Process.Signal("CONT");
            }

            node.Process.Dispose();
            File.WriteAllText(Path.Combine(logs, $"{node.Name}-{node.Port}.log"), node.Process.Tail(int.MaxValue));
        }
    }
}
