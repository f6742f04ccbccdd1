using System.Diagnostics;
using CanMesh.Capture.Sources;
using CanMesh.Frames;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// The bounded hand-off between source threads (many writers) and the store writer thread (one reader),
/// bounded in frames rather than batches so the memory it can hold is known. What a full queue does is the
/// writer's stated policy (<see cref="FullQueuePolicy"/>): a live bus is refused at once and counts the drop,
/// never waiting on storage (ARCHITECTURE.md invariant 4); a file or generator waits for room and loses nothing.
/// </summary>
/// <remarks>
/// As in System.Threading.Channels' BoundedChannel, completion and every write are decided under one lock:
/// after <see cref="FrameQueueWriter.Complete"/> no write succeeds, so once the reader has seen the queue
/// completed and empty it has seen every batch the queue accepted, and a late writer is told so (and counts
/// the frames as dropped). One lock per batch, never per frame.
/// </remarks>
[DebuggerDisplay("{DepthFrames}/{CapacityFrames} frames, completed = {IsCompleted}")]
public sealed class FrameQueue
{
    // A plain object: Monitor.Wait/PulseAll need one (System.Threading.Lock has no condition wait).
    private readonly object _lock = new();
    private readonly Queue<FrameBatch> _batches;
    private readonly long _resumeWritersAt;
    private long _frames;
    private bool _completed;
    private int _waitingReaders;
    private int _waitingWriters;

    public FrameQueue(int capacityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityFrames, 1);
        CapacityFrames = capacityFrames;
        // Waiting writers are woken once half the queue is free, not after every batch the reader takes:
        // a file source then refills in bursts instead of trading a context switch per batch with the writer.
        _resumeWritersAt = capacityFrames / 2;
        _batches = new Queue<FrameBatch>(Math.Min(capacityFrames, 1024));
        Writer = new FrameQueueWriter(this);
        Reader = new FrameQueueReader(this);
    }

    public int CapacityFrames { get; }

    /// <summary>Frames currently queued.</summary>
    public long DepthFrames => Volatile.Read(ref _frames);

    public FrameQueueWriter Writer { get; }
    public FrameQueueReader Reader { get; }

    /// <summary>For diagnostics only (no lock, so a debugger never waits on it): decisions are made under the lock.</summary>
    internal bool IsCompleted => Volatile.Read(ref _completed);

    internal QueueWriteResult Write(FrameBatch batch, FullQueuePolicy policy, CancellationToken stopping)
    {
        if (batch.Count > CapacityFrames)
        {
            throw new ArgumentException($"A batch of {batch.Count} frames can never fit a queue of {CapacityFrames}.", nameof(batch));
        }
        lock (_lock)
        {
            var result = TryEnqueue(batch);
            if (result != QueueWriteResult.Full || policy == FullQueuePolicy.DropAndCount) return result;
        }
        return WaitAndEnqueue(batch, stopping);
    }

    private QueueWriteResult WaitAndEnqueue(FrameBatch batch, CancellationToken stopping)
    {
        // Registered outside the lock, and disposed after it is released (the using ends after the lock
        // block): disposing waits for a running callback, which itself takes the lock.
        using var wake = stopping.UnsafeRegister(static queue => ((FrameQueue)queue!).WakeAll(), this);
        lock (_lock)
        {
            _waitingWriters++;
            try
            {
                while (true)
                {
                    var result = TryEnqueue(batch);
                    if (result != QueueWriteResult.Full) return result;
                    if (stopping.IsCancellationRequested) return QueueWriteResult.Cancelled;
                    Monitor.Wait(_lock);
                }
            }
            finally
            {
                _waitingWriters--;
            }
        }
    }

    /// <summary>Under the lock: queues the batch if the queue is open and has room.</summary>
    private QueueWriteResult TryEnqueue(FrameBatch batch)
    {
        if (_completed) return QueueWriteResult.Completed;
        if (_frames + batch.Count > CapacityFrames) return QueueWriteResult.Full;
        _batches.Enqueue(batch);
        Volatile.Write(ref _frames, _frames + batch.Count);
        if (_waitingReaders > 0) Monitor.PulseAll(_lock);
        return QueueWriteResult.Written;
    }

    internal bool TryRead(TimeSpan wait, out FrameBatch? batch)
    {
        lock (_lock)
        {
            if (_batches.Count == 0 && !_completed && wait > TimeSpan.Zero) WaitForBatch(wait);
            if (!_batches.TryDequeue(out batch)) return false;
            Volatile.Write(ref _frames, _frames - batch.Count);
            if (_waitingWriters > 0 && _frames <= _resumeWritersAt) Monitor.PulseAll(_lock);
            return true;
        }
    }

    /// <summary>Under the lock: waits until a batch arrives, the queue completes, or the time is up.</summary>
    private void WaitForBatch(TimeSpan wait)
    {
        // Rounded up: a wait of a fraction of a millisecond must not become a busy loop of zero-length waits.
        var deadline = Environment.TickCount64 + (long)Math.Ceiling(wait.TotalMilliseconds);
        _waitingReaders++;
        try
        {
            while (_batches.Count == 0 && !_completed)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0) return;
                Monitor.Wait(_lock, (int)Math.Min(left, int.MaxValue));
            }
        }
        finally
        {
            _waitingReaders--;
        }
    }

    internal bool IsFinished
    {
        get
        {
            lock (_lock) return _completed && _batches.Count == 0;
        }
    }

    internal void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    private void WakeAll()
    {
        lock (_lock) Monitor.PulseAll(_lock);
    }
}

/// <summary>What became of a batch handed to <see cref="FrameQueueWriter.Write"/>.</summary>
public enum QueueWriteResult
{
    /// <summary>Queued: the batch belongs to the reader now.</summary>
    Written,

    /// <summary>No room, and the policy was not to wait.</summary>
    Full,

    /// <summary>Capture is stopping: the wait for room ended before there was any.</summary>
    Cancelled,

    /// <summary>The queue was already completed: nothing more is read from it.</summary>
    Completed,
}

/// <summary>The sources' side of a <see cref="FrameQueue"/>.</summary>
public sealed class FrameQueueWriter
{
    private readonly FrameQueue _queue;
    internal FrameQueueWriter(FrameQueue queue) => _queue = queue;

    /// <summary>
    /// Queues the batch if it fits. If it does not, <paramref name="policy"/> says whether to return
    /// <see cref="QueueWriteResult.Full"/> at once or to wait (without spinning) until there is room or
    /// <paramref name="stopping"/> is cancelled. Unless the result is <see cref="QueueWriteResult.Written"/>,
    /// the caller still owns the batch.
    /// </summary>
    public QueueWriteResult Write(FrameBatch batch, FullQueuePolicy policy, CancellationToken stopping) => _queue.Write(batch, policy, stopping);

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

    /// <summary>True once the writer completed and every queued batch was read: no batch can arrive after.</summary>
    public bool IsFinished => _queue.IsFinished;
}
