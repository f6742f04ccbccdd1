using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Frames;

namespace CanMesh.Bench.Capture;

/// <summary>
/// The benchmark's source: copies a <see cref="FramePool"/> into batches as fast as the pipeline takes
/// them, for a fixed number of frames, then returns.
/// </summary>
/// <remarks>
/// Like a replay or the simulator, it waits when the queue is nearly full: a benchmark that overran the
/// queue would measure dropping frames, not storing them (a live bus does not wait, so it drops and counts
/// instead, ARCHITECTURE.md invariant 4). It keeps its own sleep-based pacing, which the report counts
/// (<see cref="Waits"/>); the queue's wait for a <see cref="FrameOrigin.Simulation"/> source is only a backstop.
/// </remarks>
internal sealed class InMemoryFrameSource : IFrameSource
{
    private readonly FramePool _pool;
    private readonly long _frames;
    private FrameQueue? _queue;

    public InMemoryFrameSource(FramePool pool, long frames)
    {
        _pool = pool;
        _frames = frames;
    }

    /// <summary>The queue to pace against: the pipeline creates it, so it is attached once the pipeline exists.</summary>
    public void Attach(FrameQueue queue) => _queue = queue;

    public string Name => "bench";
    public string Kind => "memory";
    public FrameOrigin Origin => FrameOrigin.Simulation;

    /// <summary>Times the source found the queue full and slept (how far ahead of the writer it ran).</summary>
    public long Waits { get; private set; }

    /// <summary>CPU seconds the source thread used in <see cref="Run"/>.</summary>
    public double CpuSeconds { get; private set; }

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        // Map the pool's interface slots to the numbers this database gives them.
        Span<ushort> interfaceIds = stackalloc ushort[FramePool.InterfaceNames.Length];
        for (var i = 0; i < interfaceIds.Length; i++) interfaceIds[i] = context.ResolveInterface(FramePool.InterfaceNames[i]);

        var cpuStart = ThreadCpu.Seconds();
        var queue = _queue ?? throw new InvalidOperationException("Attach the pipeline's queue before starting it.");
        var pool = _pool.Frames;
        var batchFrames = context.Batches.BatchCapacity;
        var highWater = queue.CapacityFrames - batchFrames;
        var lapStartNs = FramePool.FirstTimestampNs;
        var next = 0;
        long written = 0;
        long waits = 0;
        while (written < _frames && !stopping.IsCancellationRequested)
        {
            if (queue.DepthFrames > highWater)
            {
                waits++;
                Thread.Sleep(1);
                continue;
            }
            var batch = context.Batches.Rent();
            var count = (int)Math.Min(batchFrames, _frames - written);
            for (var i = 0; i < count; i++)
            {
                ref var frame = ref batch.Append();
                frame = pool[next];
                frame.TimestampNs += lapStartNs;
                frame.InterfaceId = interfaceIds[frame.InterfaceId];
                if (++next == pool.Length)
                {
                    next = 0;
                    lapStartNs += _pool.SpanNs;
                }
            }
            written += count;
            context.Submit(batch);
        }
        Waits = waits;
        CpuSeconds = ThreadCpu.Seconds() - cpuStart;
    }
}
