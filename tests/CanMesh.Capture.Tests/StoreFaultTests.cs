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
