using System.Collections.Concurrent;
using System.Threading.Channels;
using Akka.Actor;
using NasHpo.Actors.ReadSide;
using NasHpo.Analysis.Studies;

namespace NasHpo.Dashboard;

/// <summary>A study's record changed: the page showing it redraws.</summary>
internal sealed record StudyChanged(string StudyId, long Version);

/// <summary>
/// Every study of a journal, followed live through the read side (Akka.Persistence.Query): each study is folded into
/// its <see cref="StudyRecord"/> as its events are persisted, by a running <c>nashpo run</c> or anything else writing
/// that journal, and subscribers are told which study changed. New studies are found by listing the journal every
/// <see cref="DiscoveryInterval"/>. Views are built on demand, once per version of a study.
/// </summary>
internal sealed class StudyFeeds : IAsyncDisposable
{
    // Listing a journal's persistence ids scans its events table (a second for millions of events): not too often.
    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(5);

    // Changes are announced as they come, then not again for this long: a burst of events is one redraw.
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromMilliseconds(100);

    private readonly ActorSystem _system;
    private readonly ConcurrentDictionary<string, StudyFeed> _feeds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<StudyChanged>, byte> _subscribers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Task _discovery;
    private readonly Task _announcer;

    public StudyFeeds(ActorSystem system)
    {
        _system = system;
        _discovery = Task.Run(DiscoverAsync);
        _announcer = Task.Run(AnnounceAsync);
    }

    /// <summary>The studies found so far, by id.</summary>
    public IReadOnlyList<string> StudyIds => _feeds.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every study's view; the journal is listed first unless studies were found already (discovery finds new ones).</summary>
    public async Task<IReadOnlyList<StudyView>> ViewsAsync(CancellationToken cancellation)
    {
        if (_feeds.IsEmpty)
        {
            await RefreshAsync(cancellation).ConfigureAwait(false);
        }

        var views = new List<StudyView>();
        foreach (var id in StudyIds)
        {
            if (await ViewAsync(id, cancellation).ConfigureAwait(false) is { } view)
            {
                views.Add(view);
            }
        }

        return views;
    }

    /// <summary>The study's view at its latest version, once its journal has been read to the end; null for a study the journal does not have.</summary>
    public async Task<StudyView?> ViewAsync(string studyId, CancellationToken cancellation)
    {
        if (!_feeds.ContainsKey(studyId))
        {
            await RefreshAsync(cancellation).ConfigureAwait(false);
        }

        return _feeds.TryGetValue(studyId, out var feed) ? await feed.ViewAsync(cancellation).ConfigureAwait(false) : null;
    }

    /// <summary>The study's analyses at its latest version (computed once per version).</summary>
    public async Task<StudyAnalysis?> AnalysisAsync(string studyId, CancellationToken cancellation)
    {
        // Finds the study first when it is new, as ViewAsync does.
        if (await ViewAsync(studyId, cancellation).ConfigureAwait(false) is null)
        {
            return null;
        }

        return await _feeds[studyId].AnalysisAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Changes from now on, until <paramref name="cancellation"/>.</summary>
    public async IAsyncEnumerable<StudyChanged> ChangesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var channel = Channel.CreateBounded<StudyChanged>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        _subscribers[channel] = 0;
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var feed in _feeds.Values)
        {
            await feed.StopAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_discovery, _announcer).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _stop.Dispose();
        _changed.Dispose();
    }

    private async Task RefreshAsync(CancellationToken cancellation)
    {
        foreach (var id in await JournalReader.ListStudiesAsync(_system, cancellation).ConfigureAwait(false))
        {
            _feeds.GetOrAdd(id, key => new StudyFeed(_system, key, Changed, _stop.Token));
        }
    }

    private async Task DiscoverAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(_stop.Token).ConfigureAwait(false);
                await Task.Delay(DiscoveryInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // The database was unreachable for a moment: the next round tries again.
                await Task.Delay(DiscoveryInterval).ConfigureAwait(false);
            }
        }
    }

    // Wakes the announcer: a study has a new event, or has caught up with its journal.
    private void Changed()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    private async Task AnnounceAsync()
    {
        var announced = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                // A change wakes it at once; the second's timeout only guards against a wake-up missed.
                await _changed.WaitAsync(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                foreach (var (id, feed) in _feeds)
                {
                    var version = feed.Version;
                    if (feed.CaughtUp && (!announced.TryGetValue(id, out var seen) || seen != version))
                    {
                        announced[id] = version;
                        foreach (var subscriber in _subscribers.Keys)
                        {
                            subscriber.Writer.TryWrite(new StudyChanged(id, version));
                        }
                    }
                }

                await Task.Delay(AnnounceInterval, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>One study, folded as its events arrive.</summary>
    private sealed class StudyFeed
    {
        private readonly Lock _gate = new();
        private readonly StudyRecord _record;
        private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop;
        private readonly Task _following;
        private readonly Action _changed;
        private long _version;
        private StudyView? _view;
        private (long Version, StudyAnalysis Analysis)? _analysis;

        public StudyFeed(ActorSystem system, string studyId, Action changed, CancellationToken stop)
        {
            _record = new StudyRecord(studyId);
            _changed = changed;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            _following = Task.Run(() => FollowAsync(system, studyId), CancellationToken.None);
        }

        public long Version => Interlocked.Read(ref _version);

        public bool CaughtUp => _caughtUp.Task.IsCompleted;

        public async Task<StudyView?> ViewAsync(CancellationToken cancellation)
        {
            await _caughtUp.Task.WaitAsync(cancellation).ConfigureAwait(false);
            lock (_gate)
            {
                if (!_record.Exists)
                {
                    return null;
                }

                if (_view is null || _view.Version != _version)
                {
                    _view = new StudyView(_record, _version, _view);
                }

                return _view;
            }
        }

        public async Task<StudyAnalysis?> AnalysisAsync(CancellationToken cancellation)
        {
            var view = await ViewAsync(cancellation).ConfigureAwait(false);
            if (view is null)
            {
                return null;
            }

            if (_analysis is { } known && known.Version == view.Version)
            {
                return known.Analysis;
            }

            var analysis = await Task.Run(() => StudyAnalyses.Of(view), cancellation).ConfigureAwait(false);
            _analysis = (view.Version, analysis);
            return analysis;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _following.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task FollowAsync(ActorSystem system, string studyId)
        {
            try
            {
                await JournalReader.FollowStudyAsync(system, studyId, Apply, CaughtUpNow, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // The first read failed (an unreadable event, the database away): answer with what there is. Or the
                // live query failed after catching up: the view stays as last seen; a restarted dashboard reads again.
                CaughtUpNow();
            }
        }

        private void CaughtUpNow()
        {
            _caughtUp.TrySetResult();
            _changed();
        }

        private void Apply(object e)
        {
            lock (_gate)
            {
                _record.Apply(e);
                Interlocked.Increment(ref _version);
            }

            _changed();
        }
    }
}
