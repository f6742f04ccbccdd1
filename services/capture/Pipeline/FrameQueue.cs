using CanMesh.Frames;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// The bounded hand-off between source threads (many writers) and the store writer thread (one reader),
/// bounded in frames rather than batches so the memory it can hold is known. Its full-queue policy is
/// explicit: <see cref="FrameQueueWriter.TryWrite"/> refuses, and the caller counts the drop. Nothing on
/// the writer side ever waits (DESIGN.md invariant 4).
/// </summary>
public sealed class FrameQueue
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<FrameBatch> _batches = new();
    private readonly SemaphoreSlim _available = new(0);
    private long _frames;
    private int _completed;

    public FrameQueue(int capacityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityFrames, 1);
        CapacityFrames = capacityFrames;
        Writer = new FrameQueueWriter(this);
        Reader = new FrameQueueReader(this);
    }

    public int CapacityFrames { get; }

    /// <summary>Frames currently queued.</summary>
    public long DepthFrames => Volatile.Read(ref _frames);

    public FrameQueueWriter Writer { get; }
    public FrameQueueReader Reader { get; }

    internal bool TryWrite(FrameBatch batch)
    {
        if (Volatile.Read(ref _completed) != 0) return false;
        var count = batch.Count;
        var after = Interlocked.Add(ref _frames, count);
        if (after > CapacityFrames)
        {
            Interlocked.Add(ref _frames, -count);
            return false;
        }
        _batches.Enqueue(batch);
        _available.Release();
        return true;
    }

    internal bool TryRead(TimeSpan wait, out FrameBatch? batch)
    {
        if (!_available.Wait(wait))
        {
            batch = null;
            return false;
        }
        if (!_batches.TryDequeue(out batch))
        {
            // Complete() releases once more than there are batches so a waiting reader wakes up.
            return false;
        }
        Interlocked.Add(ref _frames, -batch.Count);
        return true;
    }

    internal void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0) _available.Release();
    }

    internal bool IsCompleted => Volatile.Read(ref _completed) != 0;
    internal bool IsEmpty => _batches.IsEmpty;
}

/// <summary>The sources' side of a <see cref="FrameQueue"/>.</summary>
public sealed class FrameQueueWriter
{
    private readonly FrameQueue _queue;
    internal FrameQueueWriter(FrameQueue queue) => _queue = queue;

    /// <summary>
    /// Queues the batch if it fits, without waiting. On false the caller still owns the batch.
    /// </summary>
    public bool TryWrite(FrameBatch batch) => _queue.TryWrite(batch);

    /// <summary>No more batches will be written; the reader drains what is queued and then sees the end.</summary>
    public void Complete() => _queue.Complete();
}

/// <summary>The store writer's side of a <see cref="FrameQueue"/>.</summary>
public sealed class FrameQueueReader
{
    private readonly FrameQueue _queue;
    internal FrameQueueReader(FrameQueue queue) => _queue = queue;

    /// <summary>Takes the next batch, waiting up to <paramref name="wait"/> for one.</summary>
    public bool TryRead(TimeSpan wait, out FrameBatch? batch) => _queue.TryRead(wait, out batch);

    /// <summary>True once the writer completed and every queued batch was read.</summary>
    public bool IsFinished => _queue.IsCompleted && _queue.IsEmpty;
}
