using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Tests.Infrastructure;
using CanMesh.Store;
using CanMesh.Store.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Capture.Tests;

/// <summary>The store writer under real faults: a database on a small tmpfs that the test fills up.</summary>
public sealed class StoreFaultTests
{
    private static bool WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    [SmallFileSystemFact]
    public void A_capture_larger_than_its_small_disk_goes_on_evicting_the_oldest_frames_with_a_record_of_each()
    {
        using var fs = new SmallFileSystem(16 << 20);
        using var temp = new TempFolder();
        var database = fs.File("capture.db");
        // The free-space floor is what keeps a filling disk writable: deleting needs room too (for the WAL), so
        // eviction has to start before the file system is full, not when a write has already failed.
        var retention = new RetentionSettings { MinFreeDiskBytes = 6 << 20, CheckInterval = TimeSpan.FromMilliseconds(50) };
        using var journal = FrameJournal.Open(new StoreSettings { Path = database, Retention = retention });
        var source = new ManualSource("manual0");
        using (var pipeline = new CapturePipeline(journal, [source], new PipelineSettings(), NullLoggerFactory.Instance, TimeProvider.System))
        {
            pipeline.Start();
            // About 27 MB of frames for a 16 MiB file system.
            for (var sent = 25_000; sent <= 750_000; sent += 25_000)
            {
                source.Send(25_000);
                Assert.True(WaitUntil(() => journal.CommittedSeq + pipeline.StoreDrops >= sent), $"stuck at committed seq {journal.CommittedSeq} of {sent}");
            }
            pipeline.Stop();
            Assert.Equal(0, pipeline.StoreDrops);
        }

        var firstKept = temp.Query("SELECT min(seq), max(seq), count(*) FROM frames", database)[0];
        Assert.Equal(750_000L, firstKept[1]);
        Assert.True((long)firstKept[0]! > 1, "nothing was evicted: the test did not fill the disk");
        Assert.Equal(750_000L - (long)firstKept[0]! + 1, firstKept[2]);
        // Every evicted frame is in exactly one eviction record, oldest first, without gaps.
        var evictions = temp.Query("SELECT first_seq, last_seq, count FROM events WHERE kind LIKE '%Eviction' ORDER BY first_seq", database);
        var next = 1L;
        foreach (var e in evictions)
        {
            Assert.Equal(next, e[0]);
            Assert.Equal((long)e[1]! - (long)e[0]! + 1, e[2]);
            next = (long)e[1]! + 1;
        }
        Assert.Equal(firstKept[0], next);
    }

    [SmallFileSystemFact]
    public void Events_taken_for_a_commit_that_failed_twice_are_kept_and_written_once_the_disk_has_room()
    {
        using var fs = new SmallFileSystem(4 << 20);
        using var temp = new TempFolder();
        var database = fs.File("capture.db");
        // Nothing to evict: no budget and no free-space floor, so the retry after a full disk fails too.
        using var journal = FrameJournal.Open(new StoreSettings { Path = database, Retention = new RetentionSettings { MinFreeDiskBytes = 0 } });
        var source = new ManualSource("manual0");
        using var pipeline = new CapturePipeline(journal, [source], new PipelineSettings(), NullLoggerFactory.Instance, TimeProvider.System);
        pipeline.Start();
        source.Send(1000);
        Assert.True(WaitUntil(() => journal.CommittedSeq == 1000), "the first frames were not committed");

        fs.Fill();
        pipeline.RecordEvent(new CaptureEvent(1, CaptureEventKind.InterfaceDown, "manual0", 1, "recorded while the disk was full"));
        source.Send(20_000);
        Assert.True(WaitUntil(() => pipeline.StoreDrops > 0), "the full disk never failed a commit");

        fs.Free();
        source.Send(100);
        Assert.True(WaitUntil(() => journal.CommittedSeq >= 1100), $"nothing was committed after the disk had room again (committed seq {journal.CommittedSeq})");
        pipeline.Stop();

        var lost = pipeline.StoreDrops;
        var events = temp.Query("SELECT kind, count, message FROM events ORDER BY id", database);
        Assert.Contains(events, e => (string)e[0]! == "InterfaceDown" && (string)e[2]! == "recorded while the disk was full");
        Assert.Equal(lost, events.Where(e => (string)e[0]! == "SourceFault").Sum(e => (long)e[1]!));
        Assert.Equal(new object?[] { 1000L + 20_000 + 100 - lost, journal.CommittedSeq }, temp.Query("SELECT count(*), max(seq) FROM frames", database)[0]);
    }
}
