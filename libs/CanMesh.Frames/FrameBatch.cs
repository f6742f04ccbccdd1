namespace CanMesh.Frames;

/// <summary>
/// A reusable block of frames: a source fills one, the pipeline carries it to the writer, and the writer
/// gives it back to the <see cref="FrameBatchPool"/> it came from. Frames are written in place
/// (<see cref="Append"/> returns a reference) so filling a batch allocates nothing.
/// </summary>
public sealed class FrameBatch
{
    private readonly CanFrame[] _frames;

    public FrameBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _frames = new CanFrame[capacity];
    }

    public int Capacity => _frames.Length;
    public int Count { get; private set; }
    public bool IsFull => Count == _frames.Length;

    /// <summary>The frames written so far.</summary>
    public Span<CanFrame> Frames => _frames.AsSpan(0, Count);

    /// <summary>
    /// Reserves the next slot, clears it, and returns it for the caller to fill.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public ref CanFrame Append()
    {
        if (Count == _frames.Length) throw new InvalidOperationException("The frame batch is full.");
        ref var frame = ref _frames[Count++];
        frame = default;
        return ref frame;
    }

    /// <summary>Drops the last appended frame (a source that found the slot's input unusable).</summary>
    public void RemoveLast()
    {
        if (Count == 0) throw new InvalidOperationException("The frame batch is empty.");
        Count--;
    }

    public void Clear() => Count = 0;
}
