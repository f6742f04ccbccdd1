using System.Diagnostics;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Frames;
using CanMesh.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Bench.Capture;

/// <summary>
/// One measured run: a fresh database, the pipeline (or the journal writer alone) from start until the
/// last frame is committed, then a check that the database holds exactly the frames sent, seq 1..N.
/// </summary>
internal sealed class CaptureBenchmark
{
    private readonly CaptureOptions _options;
    private readonly FramePool _pool;

    public CaptureBenchmark(CaptureOptions options, FramePool pool)
    {
        _options = options;
        _pool = pool;
    }

    public RunResult Run(long frames, string label)
    {
        var path = Path.Combine(_options.Directory, $"capture-{Environment.ProcessId}-{label}.db");
        DeleteDatabase(path);
        try
        {
            using var journal = FrameJournal.Open(new StoreSettings { Path = path, Synchronous = _options.Synchronous });
            // Settle what the previous run left behind, so its garbage is not charged to this one.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var result = _options.WriterOnly ? RunWriter(journal, frames) : RunPipeline(journal, frames);
            result = result with { DatabaseBytes = journal.FileBytes() };
            DatabaseCheck.Verify(path, frames, ExpectedPayload(frames));
            return result;
        }
        finally
        {
            if (!_options.KeepDatabases) DeleteDatabase(path);
        }
    }

    private RunResult RunPipeline(FrameJournal journal, long frames)
    {
        var settings = _options.Pipeline;
        var source = new InMemoryFrameSource(_pool, frames);
        using var pipeline = new CapturePipeline(journal, [source], settings, NullLoggerFactory.Instance, TimeProvider.System);
        source.Attach(pipeline.Queue);
        var context = pipeline.SourceContexts[0];
        using var sampler = new MemorySampler(() => journal.CommittedSeq);
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();

        pipeline.Start();
        pipeline.SourcesFinished.Wait();
        // Stop completes the queue: the writer drains it and commits the tail at once instead of
        // waiting out CommitMaxDelay. It returns after the last COMMIT.
        pipeline.Stop();

        clock.Stop();
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        sampler.Stop();

        if (context.State == SourceState.Faulted) throw new InvalidOperationException($"The benchmark source failed: {context.StateDetail}");
        if (context.Counters.QueueDrops != 0 || pipeline.StoreDrops != 0)
        {
            throw new InvalidOperationException($"Frames were dropped: {context.Counters.QueueDrops} by the queue, {pipeline.StoreDrops} by the store.");
        }
        if (journal.CommittedSeq != frames) throw new InvalidOperationException($"Committed seq is {journal.CommittedSeq}, expected {frames}.");

        return new RunResult
        {
            Frames = frames,
            Seconds = clock.Elapsed.TotalSeconds,
            PayloadBytes = context.Counters.Bytes,
            Commits = pipeline.Commits,
            DatabaseBytes = 0,
            PeakRssBytes = MemorySampler.ReadPeakRssBytes(),
            PeakRssIsPerRun = sampler.PeakRssIsPerRun,
            PeakGcHeapBytes = sampler.PeakGcHeapBytes,
            AllocatedBytes = allocated,
            SteadyAllocatedPerFrame = sampler.SteadyAllocatedPerFrame(frames),
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            SourceWaits = source.Waits,
            CpuSeconds = cpu,
            SourceCpuSeconds = source.CpuSeconds,
        };
    }

    /// <summary>
    /// The journal writer alone on this thread: the pool's frames, prepared once as full batches, appended
    /// and committed every CommitMaxFrames, as the writer loop would without a queue in front of it.
    /// </summary>
    private RunResult RunWriter(FrameJournal journal, long frames)
    {
        var batchFrames = _options.Pipeline.BatchFrames;
        var commitFrames = _options.Pipeline.CommitMaxFrames;
        var ids = new ushort[FramePool.InterfaceNames.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = journal.Interfaces.Resolve(FramePool.InterfaceNames[i]);
        var batches = new List<FrameBatch>();
        var pool = _pool.Frames;
        for (var start = 0; start < pool.Length; start += batchFrames)
        {
            var batch = new FrameBatch(batchFrames);
            for (var i = start; i < Math.Min(start + batchFrames, pool.Length); i++)
            {
                ref var frame = ref batch.Append();
                frame = pool[i];
                frame.TimestampNs += FramePool.FirstTimestampNs;
                frame.InterfaceId = ids[frame.InterfaceId];
            }
            batches.Add(batch);
        }

        using var writer = journal.CreateWriter();
        using var sampler = new MemorySampler(() => journal.CommittedSeq + writer.PendingFrames);
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        long payload = 0;
        long commits = 0;
        long written = 0;
        var next = 0;
        var clock = Stopwatch.StartNew();
        while (written < frames)
        {
            var batch = batches[next];
            next = (next + 1) % batches.Count;
            var span = batch.Frames[..(int)Math.Min(batch.Count, frames - written)];
            writer.Append(span);
            written += span.Length;
            foreach (ref readonly var f in span) payload += f.IsRemote ? 0 : f.Length;
            if (writer.PendingFrames >= commitFrames)
            {
                writer.Commit(0);
                commits++;
            }
        }
        if (writer.InTransaction)
        {
            writer.Commit(0);
            commits++;
        }
        clock.Stop();
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        sampler.Stop();
        if (journal.CommittedSeq != frames) throw new InvalidOperationException($"Committed seq is {journal.CommittedSeq}, expected {frames}.");

        return new RunResult
        {
            Frames = frames,
            Seconds = clock.Elapsed.TotalSeconds,
            PayloadBytes = payload,
            Commits = commits,
            DatabaseBytes = 0,
            PeakRssBytes = MemorySampler.ReadPeakRssBytes(),
            PeakRssIsPerRun = sampler.PeakRssIsPerRun,
            PeakGcHeapBytes = sampler.PeakGcHeapBytes,
            AllocatedBytes = allocated,
            SteadyAllocatedPerFrame = sampler.SteadyAllocatedPerFrame(frames),
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            SourceWaits = 0,
            CpuSeconds = cpu,
            SourceCpuSeconds = 0,
        };
    }

    /// <summary>Payload bytes of the first <paramref name="frames"/> frames of the endless pool.</summary>
    private long ExpectedPayload(long frames)
    {
        var laps = frames / _pool.Count;
        var total = laps * _pool.PayloadBytes;
        var rest = (int)(frames % _pool.Count);
        foreach (ref readonly var f in _pool.Frames[..rest]) total += f.IsRemote ? 0 : f.Length;
        return total;
    }

    private static void DeleteDatabase(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(path + suffix);
    }
}
