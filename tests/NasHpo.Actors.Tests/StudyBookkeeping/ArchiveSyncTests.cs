using NasHpo.Actors.Archive;
using NasHpo.Actors.Studies;

namespace NasHpo.Actors.Tests.StudyBookkeeping;

public sealed class ArchiveSyncTests
{
    [Fact]
    public void The_archive_is_behind_until_it_reports_every_evaluation_sent()
    {
        var sync = new ArchiveSync();
        Assert.False(sync.IsBehind);

        sync.Sending(3);
        sync.Sending(2);
        Assert.Equal(5, sync.Sent);
        Assert.True(sync.IsBehind);

        sync.Update(new ArchiveUpdated(4, 0.5, 2));
        Assert.True(sync.IsBehind);
        Assert.Equal(0.5, sync.Hypervolume);
        Assert.Equal(2, sync.ParetoSize);

        sync.Update(new ArchiveUpdated(5, 0.75, 3));
        Assert.False(sync.IsBehind);
        Assert.Equal(5, sync.Archived);
        Assert.Equal(0.75, sync.Hypervolume);
    }

    [Fact]
    public void An_archive_that_lost_evaluations_is_behind_again_until_it_has_them_all_anew()
    {
        var sync = new ArchiveSync();
        sync.Sending(6);
        sync.Update(new ArchiveUpdated(6, 1, 1));

        sync.Update(new ArchiveUpdated(2, 1, 1));
        Assert.True(sync.IsBehind);

        sync.SendingAll(6);
        Assert.Equal(6, sync.Sent);
        sync.Update(new ArchiveUpdated(6, 1, 1));
        Assert.False(sync.IsBehind);
    }

    [Fact]
    public void A_finish_waits_for_the_archive_until_the_study_finishes()
    {
        var sync = new ArchiveSync();
        Assert.Null(sync.PendingFinish);

        sync.FinishWhenArchived("max-evaluations");
        Assert.Equal("max-evaluations", sync.PendingFinish);

        sync.Finishing();
        Assert.Null(sync.PendingFinish);
    }
}
