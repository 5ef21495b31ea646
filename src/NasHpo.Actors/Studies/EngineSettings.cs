using Akka.Configuration;

namespace NasHpo.Actors.Studies;

/// <summary>Engine tuning read from <c>nashpo.engine</c> in hocon/nashpo.conf.</summary>
public sealed record EngineSettings(int SnapshotEvery, TimeSpan OfferTimeout, TimeSpan MinBackoff, TimeSpan MaxBackoff, int PrefetchPerDevice)
{
    public static EngineSettings Default { get; } = new(1000, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 1);

    /// <summary>How often a study tells its watchers its status while it changes (<c>status-interval</c>).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public static EngineSettings From(Config config)
    {
        var engine = config.GetConfig("nashpo.engine");
        if (engine is null || engine.IsEmpty)
        {
            return Default;
        }

        return new EngineSettings(
            engine.GetInt("snapshot-every", Default.SnapshotEvery),
            engine.GetTimeSpan("offer-timeout", Default.OfferTimeout),
            engine.GetTimeSpan("restart-backoff.min", Default.MinBackoff),
            engine.GetTimeSpan("restart-backoff.max", Default.MaxBackoff),
            engine.GetInt("prefetch-per-device", Default.PrefetchPerDevice))
        {
            StatusInterval = engine.GetTimeSpan("status-interval", Default.StatusInterval),
        };
    }
}
