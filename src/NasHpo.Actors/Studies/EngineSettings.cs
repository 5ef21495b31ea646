using Akka.Configuration;
using NasHpo.Actors.Hosting;

namespace NasHpo.Actors.Studies;

/// <summary>Engine tuning read from <c>nashpo.engine</c>; its defaults are hocon/nashpo.conf's, and only there.</summary>
internal sealed record EngineSettings(int SnapshotEvery, TimeSpan OfferTimeout, TimeSpan MinBackoff, TimeSpan MaxBackoff, int PrefetchPerDevice)
{
    /// <summary>hocon/nashpo.conf's settings, for code that starts studies without a configuration of its own (tests).</summary>
    public static EngineSettings Default { get; } = From(EngineConfiguration.NashpoConf);

    /// <summary>How often a study tells its watchers its status while it changes (<c>status-interval</c>).</summary>
    public required TimeSpan StatusInterval { get; init; }

    /// <summary>A cluster trainer's device whose last run took less than this holds one more trial (<c>device-queue-below</c>).</summary>
    public TimeSpan DeviceQueueBelow { get; init; }

    /// <param name="config">a whole configuration (<see cref="EngineConfiguration"/>), which holds every key</param>
    public static EngineSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var engine = config.GetConfig("nashpo.engine");
        return new EngineSettings(
            engine.GetInt("snapshot-every"),
            engine.GetTimeSpan("offer-timeout"),
            engine.GetTimeSpan("restart-backoff.min"),
            engine.GetTimeSpan("restart-backoff.max"),
            engine.GetInt("prefetch-per-device"))
        {
            StatusInterval = engine.GetTimeSpan("status-interval"),
            DeviceQueueBelow = engine.GetTimeSpan("device-queue-below"),
        };
    }
}
