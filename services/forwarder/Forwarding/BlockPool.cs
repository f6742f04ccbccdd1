using System.Threading.Channels;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// The few blocks a session owns (one filling, one queued, one being written), handed back and forth, so the
/// forwarder's memory is fixed by Forwarder:Commit:MaxFrames however far behind PostgreSQL is.
/// </summary>
internal sealed class BlockPool
{
    private readonly Channel<FrameBlock> _free;

    public BlockPool(int blocks, int capacity)
    {
        _free = Channel.CreateBounded<FrameBlock>(blocks);
        for (var i = 0; i < blocks; i++) _free.Writer.TryWrite(new FrameBlock(capacity));
    }

    /// <summary>A free block, waiting while all are in use (PostgreSQL is behind: the stream waits too).</summary>
    public ValueTask<FrameBlock> RentAsync(CancellationToken cancellationToken) => _free.Reader.ReadAsync(cancellationToken);

    public void Return(FrameBlock block)
    {
        if (!_free.Writer.TryWrite(block)) throw new InvalidOperationException("A block was returned twice.");
    }
}
