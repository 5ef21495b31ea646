using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using NasHpo.Actors.Cluster;
using NasHpo.Actors.ReadSide;
using NasHpo.Cli.Engine;

namespace NasHpo.Cli.Tests.Cluster;

/// <summary>
/// Coordinator and trainer processes on loopback with test timings (a node unreachable for a few seconds is
/// downed), one shared SQLite journal and one shared checkpoint directory, in a scratch folder of the test's own.
/// Trainers run with akka.actor.serialize-messages = on: every message they handle, local or not, must survive
/// serialization. (Coordinators cannot: Akka.Persistence.Sql's own query messages do not survive it.)
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    // Quick downing for tests, but a heartbeat pause that a loaded two-core machine does not trip by accident.
    private static readonly string[] TestTimings =
    [
        "--set", "akka.cluster.split-brain-resolver.stable-after=2s",
        "--set", "akka.cluster.failure-detector.acceptable-heartbeat-pause=3s",
        "--set", "nashpo.cluster.leave-timeout=10s",
    ];

    private readonly List<ServeProcess> _nodes = [];
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("nashpo-cluster-");
    private readonly string[] _tls = [];
    private readonly string? _clientConfig;

    /// <summary>A cluster; with <paramref name="tls"/>, every node and client speaks TLS with a certificate made here.</summary>
    public LocalCluster(bool tls = false)
    {
        if (!tls)
        {
            return;
        }

        var certificate = Path.Combine(Directory, "cluster.pfx");
        const string password = "test-only-password";
        WriteSelfSignedCertificate(certificate, password);
        var settings = new[]
        {
            "akka.remote.dot-netty.tcp.enable-ssl=on",
            $"akka.remote.dot-netty.tcp.ssl.certificate.path=\"{certificate}\"",
            $"akka.remote.dot-netty.tcp.ssl.certificate.password=\"{password}\"",
            "akka.remote.dot-netty.tcp.ssl.suppress-validation=on",
        };
        _tls = settings.SelectMany(s => new[] { "--set", s }).ToArray();
        _clientConfig = Path.Combine(Directory, "client.conf");
        File.WriteAllText(_clientConfig, string.Join("\n", settings.Select(s => s.Replace("=", " = ", StringComparison.Ordinal))));
    }

    public string Protocol => _tls.Length > 0 ? "akka.ssl.tcp" : "akka.tcp";

    public string Directory => _directory.FullName;

    public string Database => Path.Combine(Directory, "journal.db");

    public string Checkpoints => Path.Combine(Directory, "checkpoints");

    public IReadOnlyList<ServeProcess> Nodes => _nodes;

    /// <summary>A coordinator; the first one forms the cluster, later ones join it.</summary>
    public async Task<ServeProcess> StartCoordinatorAsync(string name, params string[] extra)
    {
        var seeds = Seeds();
        var args = new List<string> { "--role", "coordinator", "--db", Database, "--set", $"nashpo.cluster.checkpoint-directory=\"{Checkpoints}\"" };
        if (seeds.Length > 0)
        {
            args.AddRange(["--seed-nodes", string.Join(",", seeds)]);
        }

        var node = Launch(name, [.. args, .. TestTimings, .. extra]);
        await node.WaitForLineAsync("serving as coordinator", Start);
        return node;
    }

    /// <summary>A trainer with CPU devices; returns once the coordinator singleton has its devices.</summary>
    public async Task<ServeProcess> StartTrainerAsync(string name, ServeProcess announcedTo, int devices, params string[] extra) =>
        await StartTrainerAsync(name, announcedTo, devices, serializeMessages: true, extra);

    /// <summary>
    /// A trainer; <paramref name="serializeMessages"/> off is for clusters with two coordinators, where a trainer
    /// with serialize-messages = on and the lowest address never reached the singleton (an Akka-internal message,
    /// not one of NasHpo's, does not survive the round trip there).
    /// </summary>
    public async Task<ServeProcess> StartTrainerAsync(string name, ServeProcess announcedTo, int devices, bool serializeMessages, params string[] extra)
    {
        var seeds = Seeds();
        var deviceList = string.Join(",", Enumerable.Range(0, devices).Select(i => $"cpu:{i}"));
        var node = Launch(name, ["--role", "trainer", "--db", Database, "--seed-nodes", string.Join(",", seeds), "--devices", deviceList,
            "--set", $"akka.actor.serialize-messages={(serializeMessages ? "on" : "off")}", .. TestTimings, .. extra]);
        try
        {
            await announcedTo.WaitForLineAsync($"from {Protocol}://nashpo@127.0.0.1:{node.Port} joined", Start);
        }
        catch (TimeoutException error)
        {
            throw new TimeoutException($"{error.Message}\n--- {name}\n{node.Tail()}", error);
        }

        return node;
    }

    /// <summary>The port the next node started gets (then free ports again): a test that needs one node's address below another's.</summary>
    public int? NextPort { get; set; }

    public ServeProcess Launch(string name, string[] args)
    {
        var port = NextPort ?? ServeProcess.FreePort();
        NextPort = null;
        var node = ServeProcess.Start(name, Directory, port, [.. args, .. _tls]);
        _nodes.Add(node);
        return node;
    }

    public string WriteStudy(string name, string body)
    {
        var path = Path.Combine(Directory, name + ".conf");
        File.WriteAllText(path, "study {\n" + body + "\n}\n");
        return path;
    }

    private string[] Seeds() =>
        _nodes.Where(n => n.Name.StartsWith("coordinator", StringComparison.Ordinal)).Select(n => $"{Protocol}://nashpo@127.0.0.1:{n.Port}").ToArray();

    /// <summary>Runs a client command (submit, status, cancel, report) in this process, against a coordinator.</summary>
    public CliResult Client(ServeProcess coordinator, params string[] args) =>
        CliHarness.Run([.. args, "--cluster", coordinator.Address, .. _clientConfig is null ? Array.Empty<string>() : ["--cluster-config", _clientConfig]]);

    private ClusterClientSession Connect(ServeProcess coordinator) =>
        ClusterClientSession.Connect(coordinator.Address, _clientConfig is null ? null : ConfigurationFactory.ParseString(File.ReadAllText(_clientConfig)));

    /// <summary>The study as the cluster's journal tells it, read through a cluster client.</summary>
    public async Task<StudyRecord> ReadAsync(ServeProcess coordinator, string studyId)
    {
        await using var session = Connect(coordinator);
        var journal = await session.AskAsync<StudyJournal>(new GetStudyJournal(studyId));
        var record = new StudyRecord(studyId);
        foreach (var e in journal.Events)
        {
            record.Apply(e);
        }

        return record;
    }

    /// <summary>Polls the journal until the condition holds; fails with the coordinators' last lines after the limit.</summary>
    public async Task<StudyRecord> WaitForAsync(ServeProcess coordinator, string studyId, Func<StudyRecord, bool> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        StudyRecord? record = null;
        await using var session = Connect(coordinator);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var journal = await session.AskAsync<StudyJournal>(new GetStudyJournal(studyId));
                record = new StudyRecord(studyId);
                foreach (var e in journal.Events)
                {
                    record.Apply(e);
                }

                if (condition(record))
                {
                    return record;
                }
            }
            catch (ClusterUnavailableException)
            {
                // A coordinator is taking over; the client finds it.
            }

            await Task.Delay(300);
        }

        var state = record is null ? "no answer" : $"{record.State}, {record.Completed} completed, {record.Running} running, {record.Pending} pending";
        var logs = string.Join("\n\n", _nodes.Where(n => n.Name.StartsWith("coordinator", StringComparison.Ordinal)).Select(n => $"--- {n.Name}\n{n.Tail(25)}"));
        throw new TimeoutException($"study {studyId}: not {what} within {limit} ({state})\n{logs}");
    }

    /// <summary>Every evaluation once: no trial id twice, each completed trial recorded once, none lost.</summary>
    public static void AssertEveryEvaluationOnce(StudyRecord record, int evaluations)
    {
        Assert.Equal("finished", record.State);
        Assert.Equal(record.Trials.Count, record.Trials.Select(t => t.Id).Distinct().Count());
        Assert.Equal(evaluations, record.Completed + record.FailedCount);
        Assert.Equal(0, record.FailedCount);
        Assert.Equal(record.Completed, record.Archive.Select(a => a.Trial).Distinct().Count());
    }

    /// <summary>The node part of a device name ("cpu-0@127.0.0.1:4711" → "127.0.0.1:4711").</summary>
    public static string NodeOf(string device) => device[(device.IndexOf('@', StringComparison.Ordinal) + 1)..];

    /// <summary>Trials that started on one node and completed on another: moved after their first node went away.</summary>
    public static int MovedFrom(StudyRecord record, ServeProcess from) =>
        record.Trials.Count(t => t.Started is { } started && t.Completed is { } completed
            && NodeOf(started.Device) == from.Address && NodeOf(completed.Device) != from.Address);

    private static void WriteSelfSignedCertificate(string path, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        await Task.Yield();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still hold a file for a moment; the folder is in the temp directory.
        }
    }
}
