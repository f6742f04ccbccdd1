using System.Collections.Concurrent;

namespace CanMesh.Frames;

/// <summary>
/// Batches are borrowed and returned, as buffers are in System.IO.Pipelines: a steady capture runs on a
/// fixed set of batches. The pool keeps at most <c>maxRetained</c> idle batches so a burst does not pin
/// memory afterwards.
/// </summary>
public sealed class FrameBatchPool
{
    private readonly ConcurrentQueue<FrameBatch> _idle = new();
    private readonly int _maxRetained;
    private int _idleCount;

    public FrameBatchPool(int batchCapacity, int maxRetained)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetained, 0);
        BatchCapacity = batchCapacity;
        _maxRetained = maxRetained;
    }

    public int BatchCapacity { get; }

    public FrameBatch Rent()
    {
        if (_idle.TryDequeue(out var batch))
        {
            Interlocked.Decrement(ref _idleCount);
            return batch;
        }
        return new FrameBatch(BatchCapacity);
    }

    public void Return(FrameBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        if (batch.Capacity != BatchCapacity) return;
        if (Interlocked.Increment(ref _idleCount) > _maxRetained)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }
        _idle.Enqueue(batch);
    }
}
