using CanMesh.Capture.Configuration;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Capture.Sources.Sim;
using CanMesh.Capture.Tests.Infrastructure;
using CanMesh.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Capture.Tests;

public sealed class PipelineTests
{
    private static CapturePipeline Pipeline(FrameJournal journal, PipelineSettings settings, params IFrameSource[] sources) =>
        new(journal, sources, settings, NullLoggerFactory.Instance, TimeProvider.System);

    private static FrameJournal Open(TempFolder temp) => FrameJournal.Open(new StoreSettings { Path = temp.Database });

    /// <summary>Stalls the store: another connection holds the write lock until disposed, so the writer cannot begin a transaction.</summary>
    private static SqliteConnection StallStore(TempFolder temp)
    {
        SQLitePCL.Batteries_V2.Init();
        var blocker = new SqliteConnection($"Data Source={temp.Database};Pooling=False");
        blocker.Open();
        using var begin = blocker.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE";
        begin.ExecuteNonQuery();
        return blocker;
    }

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

    [Fact]
    public void Transactions_commit_when_they_reach_the_size_bound()
    {
        using var temp = new TempFolder();
        using (var journal = Open(temp))
        {
            var source = new BurstSource("burst0", batches: 40, framesPerBatch: 50);
            using var pipeline = Pipeline(journal, new PipelineSettings { BatchFrames = 50, CommitMaxFrames = 100, CommitMaxDelay = TimeSpan.FromMinutes(1) }, source);
            pipeline.Start();
            Assert.True(source.Finished.Wait(TimeSpan.FromSeconds(30)));
            // Without a size bound nothing would commit for a minute; the size bound commits every 100 frames.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (journal.CommittedSeq < 2000 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.Equal(2000, journal.CommittedSeq);
        }
        var sizes = temp.Query("SELECT last_seq - first_seq + 1 FROM commits ORDER BY first_seq").Select(r => (long)r[0]!).ToArray();
        Assert.Equal(Enumerable.Repeat(100L, 20), sizes);
    }

    [Fact]
    public void Transactions_commit_when_their_first_frame_has_waited_the_time_bound()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        var sim = new SimSource("sim0", new SimSettings { FramesPerSecond = 100, Count = 30 });
        using var pipeline = Pipeline(journal, new PipelineSettings { CommitMaxFrames = 1_000_000, CommitMaxDelay = TimeSpan.FromMilliseconds(50) }, sim);
        pipeline.Start();
        // 30 frames never reach the size bound: only the time bound can commit them while the pipeline runs.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (journal.CommittedSeq < 30 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Equal(30, journal.CommittedSeq);
        Assert.True(temp.Scalar("SELECT count(*) FROM commits") > 1, "a paced source's frames are committed in several time-bounded transactions");
    }

    [Fact]
    public void A_stream_that_never_lets_the_queue_run_empty_still_commits_on_time()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        var source = new BurstSource("burst0", batches: 4000, framesPerBatch: 256);
        using (var pipeline = Pipeline(journal, new PipelineSettings { CommitMaxFrames = 10_000_000, CommitMaxDelay = TimeSpan.FromMilliseconds(20) }, source))
        {
            pipeline.Start();
            Assert.True(source.Finished.Wait(TimeSpan.FromSeconds(60)));
            pipeline.Stop();
        }
        // A million frames take far longer than 20 ms to store: the time bound must have cut several transactions.
        Assert.True(temp.Scalar("SELECT count(*) FROM commits") >= 3, "the time bound never committed while frames kept coming");
    }

    [Fact]
    public void A_full_queue_drops_and_counts_without_blocking_the_source_and_records_the_drops()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        journal.Interfaces.Resolve("burst0");
        var source = new BurstSource("burst0", batches: 200, framesPerBatch: 256);
        using var pipeline = Pipeline(journal, new PipelineSettings { QueueCapacityFrames = 2048, BatchFrames = 256 }, source);

        // Stall the store: another connection holds the write lock, so the writer cannot begin a transaction.
        SQLitePCL.Batteries_V2.Init();
        using (var blocker = new SqliteConnection($"Data Source={temp.Database};Pooling=False"))
        {
            blocker.Open();
            using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }
            pipeline.Start();
            // The source finishes all 200 batches while the store is still stalled: it never waited for storage.
            Assert.True(source.Finished.Wait(TimeSpan.FromSeconds(3)), "the source blocked on a stalled store");
            using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        pipeline.Stop();

        var counters = pipeline.SourceContexts[0].Counters;
        Assert.Equal(51_200, counters.Frames);
        Assert.True(counters.QueueDrops > 40_000, $"dropped {counters.QueueDrops}");
        Assert.Equal(counters.Frames - counters.QueueDrops, temp.Scalar("SELECT count(*) FROM frames"));
        Assert.Equal(counters.QueueDrops, temp.Scalar("SELECT SUM(count) FROM events WHERE kind = 'QueueOverflow' AND source = 'burst0'"));
        Assert.Contains("queue was full", (string)temp.Query("SELECT message FROM events WHERE kind = 'QueueOverflow'")[0][0]!);
        var outcome = pipeline.Outcome();
        Assert.False(outcome.IsComplete);
        Assert.Equal(new CaptureOutcome(counters.Frames, counters.Frames - counters.QueueDrops, counters.QueueDrops, 0, 0), outcome);
        Assert.Contains($"{counters.QueueDrops} dropped by a full queue", outcome.Describe());
    }

    [Fact]
    public void A_file_source_waits_for_a_stalled_store_and_loses_nothing()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        journal.Interfaces.Resolve("file0");
        var source = new BurstSource("file0", batches: 200, framesPerBatch: 256, FrameOrigin.File);
        using var pipeline = Pipeline(journal, new PipelineSettings { QueueCapacityFrames = 2048, BatchFrames = 256 }, source);

        using (var blocker = StallStore(temp))
        {
            pipeline.Start();
            // The source fills the queue and then waits instead of dropping: while the store takes nothing, it
            // cannot hand over more than the queue holds and the batch the writer has in hand.
            var handedOver = pipeline.SourceContexts[0].Counters;
            Assert.True(WaitUntil(() => handedOver.Frames >= 2048), "the source never filled the queue");
            Assert.False(source.Finished.IsSet, "the source ran through a stalled store");
            Assert.InRange(handedOver.Frames, 2048, 2048 + 256);
        }
        Assert.True(source.Finished.Wait(TimeSpan.FromSeconds(60)), "the source never finished once the store was free");
        pipeline.Stop();

        var counters = pipeline.SourceContexts[0].Counters;
        Assert.Equal(0, counters.QueueDrops);
        Assert.Equal(51_200, counters.Frames);
        Assert.Equal(new object?[] { 51_200L, 51_200L }, temp.Query("SELECT count(*), max(seq) FROM frames")[0]);
        Assert.Equal(0L, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'QueueOverflow'"));
    }

    [Fact]
    public async Task A_stop_ends_a_file_sources_wait_and_what_it_had_not_handed_over_is_not_counted_as_read()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        journal.Interfaces.Resolve("file0");
        var source = new BurstSource("file0", batches: 200, framesPerBatch: 256, FrameOrigin.File);
        using var pipeline = Pipeline(journal, new PipelineSettings { QueueCapacityFrames = 2048, BatchFrames = 256 }, source);

        Task stopped;
        using (var blocker = StallStore(temp))
        {
            pipeline.Start();
            Assert.True(WaitUntil(() => pipeline.SourceContexts[0].Counters.Frames >= 2048), "the source never filled the queue");
            stopped = Task.Run(() => pipeline.Stop());
            // The stop wakes the waiting source at once; it returns while the store is still stalled.
            Assert.True(source.Finished.Wait(TimeSpan.FromSeconds(30)), "the source kept waiting for room after the stop");
        }
        await stopped.WaitAsync(TimeSpan.FromSeconds(60));

        var counters = pipeline.SourceContexts[0].Counters;
        Assert.Equal(0, counters.QueueDrops);
        Assert.InRange(counters.Frames, 2048, 2048 + 256);
        Assert.Equal(counters.Frames, temp.Scalar("SELECT count(*) FROM frames"));
    }

    [Fact]
    public async Task A_simulator_as_fast_as_the_queue_takes_them_drops_nothing()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        var sim = new SimSource("sim0", new SimSettings { FramesPerSecond = 0, Count = 300_000 });
        using (var pipeline = Pipeline(journal, new PipelineSettings { QueueCapacityFrames = 4096, BatchFrames = 256 }, sim))
        {
            pipeline.Start();
            await pipeline.SourcesFinished.WaitAsync(TimeSpan.FromSeconds(120));
            pipeline.Stop();
            Assert.Equal(0, pipeline.SourceContexts[0].Counters.QueueDrops);
        }
        Assert.Equal(new object?[] { 300_000L, 300_000L }, temp.Query("SELECT count(*), max(seq) FROM frames")[0]);
    }

    [Fact]
    public void Two_sources_are_read_in_parallel_into_one_dense_sequence_keeping_each_ones_order()
    {
        using var temp = new TempFolder();
        using var journal = Open(temp);
        var a = new BurstSource("a", 100, 100);
        var b = new BurstSource("b", 100, 100);
        using (var pipeline = Pipeline(journal, new PipelineSettings(), a, b))
        {
            pipeline.Start();
            Assert.True(a.Finished.Wait(TimeSpan.FromSeconds(30)) && b.Finished.Wait(TimeSpan.FromSeconds(30)));
            pipeline.Stop();
        }
        Assert.Equal(new object?[] { 20_000L, 1L, 20_000L }, temp.Query("SELECT count(*), min(seq), max(seq) FROM frames")[0]);
        foreach (var name in new[] { "a", "b" })
        {
            var stamps = temp.Query($"SELECT ts_ns FROM frames f JOIN interfaces i ON i.id = f.iface WHERE i.name = '{name}' ORDER BY seq")
                .Select(r => (long)r[0]!).ToArray();
            Assert.Equal(10_000, stamps.Length);
            Assert.Equal(stamps.Order(), stamps);
        }
    }
}
