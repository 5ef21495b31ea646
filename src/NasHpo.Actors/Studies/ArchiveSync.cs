using NasHpo.Actors.Archive;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What a study knows of its Pareto archive: how many completed evaluations it has sent, how many the archive last
/// said it holds, with the hypervolume and front size it reported, and a finish that waits for the archive to catch
/// up (the study's last word includes its final front). An archive that reports fewer evaluations than it was sent
/// has restarted and lost some it had not written: the study sends them all again, and the archive ignores repeats.
/// </summary>
internal sealed class ArchiveSync
{
    public int Sent { get; private set; }

    public int Archived { get; private set; }

    public double Hypervolume { get; private set; }

    public int ParetoSize { get; private set; }

    /// <summary>Why the study finishes once the archive has caught up; null when no finish waits.</summary>
    public string? PendingFinish { get; private set; }

    /// <summary>The archive holds fewer evaluations than the study sent it.</summary>
    public bool IsBehind => Archived < Sent;

    /// <summary>Some more evaluations were sent.</summary>
    public void Sending(int count) => Sent += count;

    /// <summary>Every completed evaluation was sent again, <paramref name="count"/> in all.</summary>
    public void SendingAll(int count) => Sent = count;

    /// <summary>The archive reported what it holds.</summary>
    public void Update(ArchiveUpdated updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        Hypervolume = updated.Hypervolume;
        ParetoSize = updated.ParetoSize;
        Archived = updated.Evaluations;
    }

    /// <summary>The study finishes for <paramref name="reason"/> once the archive has caught up.</summary>
    public void FinishWhenArchived(string reason) => PendingFinish = reason;

    /// <summary>The study finishes now: nothing waits any more.</summary>
    public void Finishing() => PendingFinish = null;
}
