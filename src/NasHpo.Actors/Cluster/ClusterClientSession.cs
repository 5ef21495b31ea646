using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using NasHpo.Actors.Hosting;

namespace NasHpo.Actors.Cluster;

/// <summary>The cluster did not answer a client in time; the message names the address and the wait.</summary>
internal sealed class ClusterUnavailableException : Exception
{
    public ClusterUnavailableException(string message)
        : base(message)
    {
    }

    public ClusterUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ClusterUnavailableException()
    {
    }
}

/// <summary>
/// A client of a running cluster (`submit`, `status`, `cancel`, `report` with --cluster): a small actor system that
/// is not a cluster member (provider "remote") and talks to the gateway through Akka's ClusterClient, which finds a
/// coordinator's receptionist from the one address given and follows the cluster if that coordinator goes away.
/// </summary>
internal sealed class ClusterClientSession : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _client;
    private readonly string _address;
    private readonly TimeSpan _timeout;

    private ClusterClientSession(ActorSystem system, IActorRef client, string address, TimeSpan timeout)
    {
        _system = system;
        _client = client;
        _address = address;
        _timeout = timeout;
    }

    /// <summary>Connects to the coordinator at "host:port"; <paramref name="overrides"/> (TLS, a reachable hostname) come first.</summary>
    public static ClusterClientSession Connect(string hostAndPort, Config? overrides = null)
    {
        var client = ConfigurationFactory.ParseString(
            """
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            """);
        var config = new EngineConfiguration { Overrides = overrides, Role = client, Cluster = true }.Compose();
        var contact = ClusterNode.ReceptionistPath(config, hostAndPort);
        var system = ActorSystem.Create("nashpo-client", config);
        var settings = ClusterClientSettings.Create(system).WithInitialContacts([contact]);
        var actor = system.ActorOf(ClusterClient.Props(settings), "client");
        return new ClusterClientSession(system, actor, hostAndPort, config.GetTimeSpan("nashpo.cluster.client-timeout"));
    }

    /// <summary>Sends a message to the gateway and waits for the answer of type <typeparamref name="T"/>.</summary>
    public async Task<T> AskAsync<T>(IClusterMessage message, CancellationToken cancellation = default)
    {
        try
        {
            return await _client.Ask<T>(new ClusterClient.Send("/user/" + ClusterGateway.Name, message), _timeout, cancellation).ConfigureAwait(false);
        }
        catch (AskTimeoutException error)
        {
            throw new ClusterUnavailableException($"no answer from the cluster at {_address} within {_timeout.TotalSeconds:0}s (is `nashpo serve --role coordinator` running there?)", error);
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
}
