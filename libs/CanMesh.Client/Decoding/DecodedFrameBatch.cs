using CanMesh.Frames;

namespace CanMesh.Client.Decoding;

/// <summary>
/// A canmesh.v1.FrameBatch decoded into plain arrays: frames as <see cref="CanFrame"/> structs with
/// their payload inline, and their seqs beside them. One instance is refilled for every batch, so
/// reading a stream this way allocates nothing per frame (strings only for interface names and the
/// capture id, which the server sends once per stream). Valid until the next read that refills it.
/// </summary>
public sealed class DecodedFrameBatch
{
    private CanFrame[] _frames;
    private ulong[] _seqs;
    private readonly List<(uint Id, string Name)> _interfaces = [];
    private int _offset;

    public DecodedFrameBatch(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _frames = new CanFrame[capacity];
        _seqs = new ulong[capacity];
    }

    /// <summary>Frames in this batch (after <see cref="SkipThrough"/>).</summary>
    public int Count { get; private set; }

    /// <summary>The frames, in seq order. <see cref="CanFrame.InterfaceId"/> is the stream's interface id (see <see cref="Interfaces"/>).</summary>
    public ReadOnlySpan<CanFrame> Frames => _frames.AsSpan(_offset, Count);

    /// <summary>The seq of each frame in <see cref="Frames"/>.</summary>
    public ReadOnlySpan<ulong> Seqs => _seqs.AsSpan(_offset, Count);

    /// <summary>The capture's committed seq when the batch was sent.</summary>
    public ulong CommittedSeq { get; internal set; }

    /// <summary>Every seq up to this one was considered for the stream (sent, or left out by the filter): acknowledge this.</summary>
    public ulong ThroughSeq { get; internal set; }

    /// <summary>The capture database's id (a UUID), in the first batch of a stream; otherwise null.</summary>
    public string? CaptureId { get; internal set; }

    /// <summary>Interface ids announced in this batch (the first batch in which each id appears).</summary>
    public IReadOnlyList<(uint Id, string Name)> Interfaces => _interfaces;

    internal void Clear()
    {
        Count = 0;
        _offset = 0;
        CommittedSeq = 0;
        ThroughSeq = 0;
        CaptureId = null;
        _interfaces.Clear();
    }

    /// <summary>The next slot to decode a frame into, growing the arrays when a batch is larger than any before.</summary>
    internal ref CanFrame Add(ulong seq)
    {
        if (Count == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
            Array.Resize(ref _seqs, _seqs.Length * 2);
        }
        _seqs[Count] = seq;
        ref var frame = ref _frames[Count++];
        frame = default;
        return ref frame;
    }

    internal void AddInterface(uint id, string name) => _interfaces.Add((id, name));

    /// <summary>Leaves out the leading frames with a seq at or below <paramref name="seq"/> (seen before a reconnect); returns how many.</summary>
    public int SkipThrough(ulong seq)
    {
        var skipped = 0;
        while (Count > 0 && _seqs[_offset] <= seq)
        {
            _offset++;
            Count--;
            skipped++;
        }
        return skipped;
    }
}
