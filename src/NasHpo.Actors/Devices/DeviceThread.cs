namespace NasHpo.Actors.Devices;

/// <summary>
/// The one thread a device runs its trials on, for the device's whole life: starting a thread per trial costs
/// more than a cheap evaluation, and training libraries keep per-thread state (TorchSharp's dispose scopes) that
/// is best kept on a thread of the device's own.
/// </summary>
/// <remarks>
/// An idle device blocks in <see cref="Monitor.Wait(object)"/>, which sleeps at once. BlockingCollection's
/// semaphore spins first, and a handful of idle devices spinning on a two-core machine starved the actors.
/// </remarks>
internal sealed class DeviceThread : IDisposable
{
    private readonly Queue<Action> _work = new();
    private readonly Thread _thread;
    private bool _closed;

    public DeviceThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"nashpo-{name}" };
        _thread.Start();
    }

    public void Run(Action work)
    {
        lock (_work)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _work.Enqueue(work);
            Monitor.Pulse(_work);
        }
    }

    /// <summary>The thread ends after the work in hand (which the device has cancelled, if any).</summary>
    public void Dispose()
    {
        lock (_work)
        {
            _closed = true;
            Monitor.Pulse(_work);
        }
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            lock (_work)
            {
                while (_work.Count == 0 && !_closed)
                {
                    Monitor.Wait(_work);
                }

                if (_work.Count == 0)
                {
                    return;
                }

                work = _work.Dequeue();
            }

            work();
        }
    }
}
