using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Configuration;

namespace NasHpo.Actors.Hosting;

/// <summary>Another live engine writes the study: the message names it (process, host, since when).</summary>
public sealed class StudyLeaseHeldException : Exception
{
    internal StudyLeaseHeldException(string message, LeaseRow holder)
        : base(message)
    {
        Holder = holder;
    }

    public StudyLeaseHeldException()
    {
    }

    public StudyLeaseHeldException(string message)
        : base(message)
    {
    }

    public StudyLeaseHeldException(string message, Exception inner)
        : base(message, inner)
    {
    }

    internal LeaseRow? Holder { get; }
}

/// <summary>nashpo.lease: how long a lease lives without a heartbeat and how often the holder renews it.</summary>
internal sealed record LeaseSettings(TimeSpan TimeToLive, TimeSpan RenewInterval)
{
    public static LeaseSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ttl = config.GetTimeSpan("nashpo.lease.time-to-live");
        var renew = config.GetTimeSpan("nashpo.lease.renew-interval");
        if (ttl < TimeSpan.FromSeconds(1) || renew <= TimeSpan.Zero || renew * 2 > ttl)
        {
            throw new ArgumentException($"nashpo.lease: time-to-live ({ttl}) must be at least 1 s and at least twice renew-interval ({renew})");
        }

        return new LeaseSettings(ttl, renew);
    }
}

/// <summary>
/// The leases one holder (an engine process, or a cluster's coordinator singleton) has on studies, kept alive by a
/// heartbeat on a thread of its own (never inside an actor, and not starved by a busy thread pool). When a renewal
/// finds the lease taken, or the holder has not renewed for a whole time-to-live (the process was frozen, or the
/// database was unreachable), or a SQLite journal's file was deleted or replaced under it, <see cref="Lost"/> fires once per study: the holder must stop writing that study at
/// once. Disposing releases every lease still held.
/// </summary>
internal sealed class StudyLeases : IDisposable
{
    private readonly StudyLeaseStore _store;
    private readonly ConcurrentDictionary<string, long> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _heartbeat;
    private int _disposed;
    private volatile bool _fenced;

    public StudyLeases(JournalSettings journal, LeaseHolder holder, LeaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _store = new StudyLeaseStore(journal);
        Holder = holder;
        Settings = settings;
        _heartbeat = new Thread(Heartbeat) { IsBackground = true, Name = "nashpo-lease-heartbeat" };
        _heartbeat.Start();
    }

    /// <summary>Fires (on the heartbeat thread) with the study id and a one-line reason when a lease is lost.</summary>
    public event Action<string, string>? Lost;

    public LeaseHolder Holder { get; }

    public LeaseSettings Settings { get; }

    public bool Holds(string studyId) => _held.ContainsKey(studyId);

    /// <summary>
    /// Takes the study's lease, or throws <see cref="StudyLeaseHeldException"/> naming the holder. A holder on this
    /// host whose process is gone (killed) is taken over at once; one whose heartbeat stopped (another host lost, a
    /// process frozen) is waited for until its lease expires, at most one time-to-live; a live one refuses at once.
    /// </summary>
    public async Task AcquireAsync(string studyId, Action<string>? waiting = null, CancellationToken cancellation = default)
    {
        _store.EnsureTable();
        Fence();
        var announced = false;
        LeaseRow? observed = null;
        while (true)
        {
            var holder = _store.TryAcquire(studyId, Holder, Settings.TimeToLive);
            if (holder is null)
            {
                _held[studyId] = Stopwatch.GetTimestamp();
                return;
            }

            if (DeadOnThisHost(holder))
            {
                holder = _store.TryAcquire(studyId, Holder, Settings.TimeToLive, holder.HolderId);
                if (holder is null)
                {
                    _held[studyId] = Stopwatch.GetTimestamp();
                    return;
                }
            }

            // A holder is alive when its heartbeat moves while we look; one whose heartbeat has been silent for more
            // than one and a half renew intervals is taken for dead (killed elsewhere, frozen) and waited out until
            // its lease expires. A live holder is refused: waiting for it could be forever.
            if (observed is not null && (observed.HolderId != holder.HolderId || observed.RenewedAtMs != holder.RenewedAtMs))
            {
                throw new StudyLeaseHeldException($"study \"{studyId}\" is being written by {holder.Describe()}; one engine at a time may write a study", holder);
            }

            observed = holder;
            var silence = TimeSpan.FromMilliseconds(holder.NowMs - holder.RenewedAtMs);
            if (silence < Settings.RenewInterval * 1.5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation).ConfigureAwait(false);
                continue;
            }

            if (!announced)
            {
                announced = true;
                waiting?.Invoke($"study \"{studyId}\" is held by {holder.Describe()}, which seems dead: taking it over when its lease expires, in {Math.Max(0, holder.ExpiresAtMs - holder.NowMs) / 1000.0:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(holder.ExpiresAtMs - holder.NowMs, 50, 1000)), cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Gives one study's lease up (the study stopped cleanly).</summary>
    public void Release(string studyId)
    {
        if (_held.TryRemove(studyId, out _))
        {
            TryRelease(studyId);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _heartbeat.Join(TimeSpan.FromSeconds(5));
        foreach (var studyId in _held.Keys.ToArray())
        {
            Release(studyId);
        }

        _stop.Dispose();
    }

    /// <summary>Same host, and no process with that id: killed (a reused id only delays the take-over to the expiry).</summary>
    private bool DeadOnThisHost(LeaseRow holder)
    {
        if (!string.Equals(holder.Host, Holder.Host, StringComparison.Ordinal) || holder.ProcessId == Holder.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(holder.ProcessId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private void Heartbeat()
    {
        var token = _stop.Token;
        while (!token.WaitHandle.WaitOne(Settings.RenewInterval))
        {
            Fence();
            foreach (var (studyId, renewedAt) in _held.ToArray())
            {
                // Checked before asking the database: a process that was frozen (or cut off from the database) for
                // nearly a time-to-live knows by its own clock that another engine may take over, and stops first.
                var silence = Stopwatch.GetElapsedTime(renewedAt);
                if (silence >= Settings.TimeToLive - Settings.RenewInterval)
                {
                    Lose(studyId, $"no heartbeat for {silence.TotalSeconds:F0} s (the process was frozen, or the database unreachable), so another engine may take the study over");
                    continue;
                }

                try
                {
                    // The database counts the time-to-live from the renewal's start, so this clock does too.
                    var attempt = Stopwatch.GetTimestamp();
                    if (_store.Renew(studyId, Holder.HolderId, Settings.TimeToLive))
                    {
                        if (_store.JournalFileGone(studyId, Holder.HolderId) is { } gone)
                        {
                            Lose(studyId, gone);
                            continue;
                        }

                        _held.TryUpdate(studyId, attempt, renewedAt);
                        continue;
                    }

                    var now = _store.Read(studyId);
                    Lose(studyId, now is null ? "its lease was released by another engine" : $"its lease was taken over by {now.Describe()}");
                }
#pragma warning disable CA1031 // The database is unreachable: retried at the next beat, lost before a whole time-to-live passed.
                catch (Exception)
#pragma warning restore CA1031
                {
                    // A renewal that fails because its journal file was deleted (a new pooled connection then made an
                    // empty one in its place) is not worth waiting out.
                    LoseWhenJournalGone(studyId);
                }
            }
        }
    }

    /// <summary>Sets up the PostgreSQL fence once the journal's tables exist (a new database gets them at the first write).</summary>
    private void Fence()
    {
        if (_fenced)
        {
            return;
        }

        try
        {
            _fenced = _store.EnsureFence();
        }
#pragma warning disable CA1031 // Tried again at the next beat.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void LoseWhenJournalGone(string studyId)
    {
        try
        {
            if (_store.JournalFileGone(studyId, Holder.HolderId) is { } gone)
            {
                Lose(studyId, gone);
            }
        }
#pragma warning disable CA1031 // Unknown: the next beat looks again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Lose(string studyId, string reason)
    {
        if (_held.TryRemove(studyId, out _))
        {
            try
            {
                Lost?.Invoke(studyId, reason);
            }
#pragma warning disable CA1031 // A subscriber's failure must not end the heartbeat thread, and with it the process.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void TryRelease(string studyId)
    {
        try
        {
            _store.Release(studyId, Holder.HolderId);
        }
#pragma warning disable CA1031 // Unreachable database at exit: the lease expires by itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
