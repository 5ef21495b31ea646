using NasHpo.Actors.Hosting;

namespace NasHpo.Cli.Engine;

/// <summary>
/// The lease that makes this process the one writer of a study (<see cref="StudyLeases"/>), as `run`, `resume` and
/// `compare` use it: taken before anything of the study is read or written, refused in one line naming the holder,
/// and, when lost while the study runs, the engine is stopped at once and the run ends with one line (exit 2).
/// </summary>
internal static class WriterLease
{
    /// <param name="holder">who holds the leases (default: this process, as a new holder)</param>
    public static StudyLeases Create(JournalSettings journal, LeaseHolder? holder = null)
    {
        LeaseSettings settings;
        try
        {
            settings = LeaseSettings.From(EngineHost.BaseConfig(journal));
        }
        catch (ArgumentException error)
        {
            throw new UserErrorException(error.Message, error);
        }

        return new StudyLeases(journal, holder ?? LeaseHolder.ForThisProcess(), settings);
    }

    /// <summary>Takes the study's lease for this engine; the returned signal fires when the lease is lost.</summary>
    public static async Task<LeaseLoss> AcquireAsync(CliConsole console, StudyLeases leases, string studyId, EngineHost host, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(host);
        await TakeAsync(console, leases, studyId, host.Journal, held => held.Message, cancellation).ConfigureAwait(false);
        var loss = new LeaseLoss();
        void OnLost(string id, string reason)
        {
            if (!string.Equals(id, studyId, StringComparison.Ordinal))
            {
                return;
            }

            // Stop writing first, explain after: the actor system ends now, not after the progress loop notices.
            loss.Reason = reason;
            _ = host.System.Terminate();
            try
            {
                loss.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run already ended (a starved process can lose a lease between its study's end and the
                // lease's release): nothing is left to stop.
            }
        }

        leases.Lost += OnLost;
        // `compare` shares one lease table across its runs: a finished run's handler must not stay subscribed.
        loss.Detach = () => leases.Lost -= OnLost;
        return loss;
    }

    /// <summary>
    /// Takes the study's lease (waiting out a holder that seems dead, with a warning), or refuses in one line:
    /// <paramref name="heldLine"/> says it when a live holder has it, a failing database is said as such.
    /// </summary>
    public static async Task TakeAsync(CliConsole console, StudyLeases leases, string studyId, JournalSettings journal, Func<StudyLeaseHeldException, string> heldLine, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(heldLine);
        try
        {
            await leases.AcquireAsync(studyId, line => console.Error.WriteLine("warning: " + line), cancellation).ConfigureAwait(false);
        }
        catch (StudyLeaseHeldException error)
        {
            throw new UserErrorException(heldLine(error), error);
        }
        catch (Exception error) when (error is System.Data.Common.DbException)
        {
            throw new UserErrorException($"cannot take the lease of study \"{studyId}\" in {journal.Display}: {error.Message.ReplaceLineEndings(" ")}", error);
        }
    }

    public static UserErrorException LostError(LeaseLoss loss, string studyId)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var why = loss.Reason.StartsWith(StudyLeaseStore.JournalGonePrefix, StringComparison.Ordinal)
            ? "what it wrote to the deleted file is lost"
            : "one engine at a time may write a study";
        return new($"stopped study \"{studyId}\": {loss.Reason}; this engine stopped writing it ({why})");
    }
}

/// <summary>Cancelled when this process lost its lease; <see cref="Reason"/> says how.</summary>
internal sealed class LeaseLoss : CancellationTokenSource
{
    public string Reason { get; set; } = "the lease was lost";

    /// <summary>Unsubscribes from the lease table; run when this is disposed.</summary>
    public Action? Detach { get; set; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Detach?.Invoke();
            Detach = null;
        }

        base.Dispose(disposing);
    }
}
