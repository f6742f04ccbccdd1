using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Tests;

public sealed class RetentionTests
{
    private static readonly long HourLater = TestFrames.BaseNs + 3600_000_000_000L;

    private static FrameJournal Fill(TempStore temp, RetentionSettings retention, int frames, int perCommit)
    {
        var journal = temp.Open(retention);
        var can0 = journal.Interfaces.Resolve("can0");
        using var writer = journal.CreateWriter();
        for (var done = 0; done < frames; done += perCommit)
        {
            writer.Append(TestFrames.Sequence(can0, perCommit, TestFrames.BaseNs + done * 1_000_000L));
            writer.Commit(1);
        }
        return journal;
    }

    [Fact]
    public void Age_deletes_old_frames_when_no_subscriber_retains_them()
    {
        using var temp = new TempStore();
        using var journal = Fill(temp, new RetentionSettings { MaxAge = TimeSpan.FromMinutes(1), MinFreeDiskBytes = 0 }, 1000, 100);
        journal.Subscribers.Save("flipper", 0, retains: false, 1);
        using var writer = journal.CreateWriter();

        var result = writer.EnforceRetention(HourLater, long.MaxValue);

        Assert.Equal(1000, result.DeletedFrames);
        Assert.Equal((1L, 1000L), result.AcknowledgedRange);
        Assert.Null(result.UnsyncedRange);
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM frames"));
        Assert.Equal(new object?[] { "Eviction", 1000L, 1L, 1000L }, temp.Query("SELECT kind, count, first_seq, last_seq FROM events")[0]);
    }

    [Fact]
    public void Age_never_deletes_what_a_retaining_subscriber_has_not_acknowledged()
    {
        using var temp = new TempStore();
        using var journal = Fill(temp, new RetentionSettings { MaxAge = TimeSpan.FromMinutes(1), MinFreeDiskBytes = 0 }, 1000, 100);
        journal.Subscribers.Save("forwarder", 400, retains: true, 1);
        using var writer = journal.CreateWriter();

        var first = writer.EnforceRetention(HourLater, long.MaxValue);
        Assert.Equal(400, first.DeletedFrames);
        Assert.Equal(new object?[] { 600L, 401L }, temp.Query("SELECT count(*), min(seq) FROM frames")[0]);

        // Nothing more until the subscriber acknowledges more.
        Assert.Equal(0, writer.EnforceRetention(HourLater, long.MaxValue).DeletedFrames);
        journal.Subscribers.Save("forwarder", 1000, retains: true, 2);
        Assert.Equal(600, writer.EnforceRetention(HourLater, long.MaxValue).DeletedFrames);
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM frames WHERE seq <= 1000"));
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'UnsyncedEviction'"));
    }

    [Fact]
    public void Young_frames_stay_even_when_acknowledged()
    {
        using var temp = new TempStore();
        using var journal = Fill(temp, new RetentionSettings { MaxAge = TimeSpan.FromDays(1), MinFreeDiskBytes = 0 }, 500, 100);
        using var writer = journal.CreateWriter();
        Assert.Equal(0, writer.EnforceRetention(HourLater, long.MaxValue).DeletedFrames);
        Assert.Equal(500, temp.Scalar("SELECT count(*) FROM frames"));
    }

    [Fact]
    public void A_disk_budget_evicts_unacknowledged_frames_and_records_exactly_which()
    {
        using var temp = new TempStore();
        const long budget = 1L << 20;
        using var journal = Fill(temp, new RetentionSettings { MaxBytes = budget, MinFreeDiskBytes = 0, DeleteChunk = 5000 }, 60_000, 5000);
        journal.Subscribers.Save("forwarder", 10_000, retains: true, 1);
        var usedBefore = UsedBytes(temp);
        Assert.True(usedBefore > budget, $"the test needs a database over budget; it used {usedBefore} bytes");
        using var writer = journal.CreateWriter();

        var result = writer.EnforceRetention(HourLater, long.MaxValue);

        Assert.True(UsedBytes(temp) <= budget, $"still {UsedBytes(temp)} bytes used, budget {budget}");
        var firstKept = temp.Scalar("SELECT min(seq) FROM frames");
        Assert.Equal((1L, 10_000L), result.AcknowledgedRange);
        Assert.Equal((10_001L, firstKept - 1), result.UnsyncedRange);
        Assert.Equal(firstKept - 1, result.DeletedFrames);
        Assert.Equal(60_000 - (firstKept - 1), temp.Scalar("SELECT count(*) FROM frames"));
        var unsynced = temp.Query("SELECT count, first_seq, last_seq, message FROM events WHERE kind = 'UnsyncedEviction'");
        Assert.Single(unsynced);
        Assert.Equal(new object?[] { firstKept - 10_001, 10_001L, firstKept - 1 }, unsynced[0][..3]);
        Assert.Contains("MaxBytes", (string)unsynced[0][3]!);
        Assert.Equal(firstKept, journal.FirstSeq);
    }

    [Fact]
    public void Low_free_disk_space_evicts_oldest_first_and_then_stops_once_pages_are_free()
    {
        using var temp = new TempStore();
        const long minFree = 512 * 1024;
        using var journal = Fill(temp, new RetentionSettings { MinFreeDiskBytes = minFree, DeleteChunk = 5000 }, 30_000, 5000);
        using var writer = journal.CreateWriter();

        var result = writer.EnforceRetention(HourLater, freeDiskBytes: 0);
        Assert.True(result.DeletedFrames > 0);
        Assert.Equal(1, result.UnsyncedRange?.First ?? result.AcknowledgedRange?.First);
        var freelist = temp.Scalar("PRAGMA freelist_count") * temp.Scalar("PRAGMA page_size");
        Assert.True(freelist >= minFree, $"freed {freelist} bytes, wanted {minFree}");

        // The freed pages now count as free space: a second pass deletes nothing.
        Assert.Equal(0, writer.EnforceRetention(HourLater, freeDiskBytes: 0).DeletedFrames);
    }

    [Fact]
    public void A_failure_while_recording_an_eviction_deletes_nothing_and_leaves_no_transaction_open()
    {
        using var temp = new TempStore();
        using var journal = Fill(temp, new RetentionSettings { MaxAge = TimeSpan.FromMinutes(1), MinFreeDiskBytes = 0 }, 1000, 100);
        // SQLite-level fault injection: the events table refuses eviction rows, as a full disk might.
        temp.Execute("CREATE TRIGGER refuse_eviction BEFORE INSERT ON events WHEN NEW.kind = 'Eviction' " +
            "BEGIN SELECT RAISE(ABORT, 'injected fault: no eviction rows'); END");
        using var writer = journal.CreateWriter();

        var error = Assert.Throws<SqliteError>(() => writer.EnforceRetention(HourLater, long.MaxValue));
        Assert.Contains("injected fault", error.Message);

        // An eviction is never without its record: the frames are all still there.
        Assert.Equal(new object?[] { 1000L, 1L }, temp.Query("SELECT count(*), min(seq) FROM frames")[0]);
        Assert.Equal(1, journal.FirstSeq);
        // And the writer's connection is not stuck in the failed transaction: later batches are stored.
        writer.Append(TestFrames.Sequence(1, 10));
        writer.Commit(2);
        Assert.Equal(new object?[] { 1010L, 1010L }, temp.Query("SELECT count(*), max(seq) FROM frames")[0]);

        // Once events can be written again, retention does its work and records it.
        temp.Execute("DROP TRIGGER refuse_eviction");
        Assert.Equal(1010, writer.EnforceRetention(HourLater, long.MaxValue).DeletedFrames);
        Assert.Equal(new object?[] { "Eviction", 1010L, 1L, 1010L }, temp.Query("SELECT kind, count, first_seq, last_seq FROM events")[0]);
    }

    private static long UsedBytes(TempStore temp) =>
        (temp.Scalar("PRAGMA page_count") - temp.Scalar("PRAGMA freelist_count")) * temp.Scalar("PRAGMA page_size");
}
