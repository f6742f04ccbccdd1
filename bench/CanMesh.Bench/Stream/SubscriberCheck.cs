using CanMesh.Client.Decoding;
using CanMesh.Protos.V1;

namespace CanMesh.Bench.Stream;

/// <summary>
/// What the benchmark's subscriber does with each decoded canmesh.v1.FrameBatch, in the measured loop:
/// checks that seqs are dense from 1, and folds every frame's timestamp, can_id and payload bytes into a
/// checksum that must equal the database's. The full path (c) and the decode-only variant (b) share it,
/// so their difference is the transport.
/// </summary>
internal sealed class SubscriberCheck
{
    private readonly long _frames;
    private long _next = 1;
    private FrameChecksum _sum;

    public SubscriberCheck(long frames) => _frames = frames;

    /// <summary>Frames received so far (seq 1.._next-1).</summary>
    public long Received => _next - 1;
    public bool Done => _next > _frames;
    public long PayloadBytes => _sum.PayloadBytes;

    public void Consume(FrameBatch batch)
    {
        var frames = batch.Frames;
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if ((long)frame.Seq != _next)
            {
                throw new InvalidOperationException($"Received seq {frame.Seq} where {_next} was expected: the stream is not dense.");
            }
            if (_next > _frames) return; // beyond the prepared frames: not part of this run
            _sum.Add(frame.TimestampNs, frame.CanId, frame.Data.Span);
            _next++;
        }
    }

    public void Consume(DecodedFrameBatch batch)
    {
        var frames = batch.Frames;
        var seqs = batch.Seqs;
        for (var i = 0; i < frames.Length; i++)
        {
            if ((long)seqs[i] != _next)
            {
                throw new InvalidOperationException($"Received seq {seqs[i]} where {_next} was expected: the stream is not dense.");
            }
            if (_next > _frames) return; // beyond the prepared frames: not part of this run
            ref readonly var frame = ref frames[i];
            _sum.Add(frame.TimestampNs, frame.Id, frame.ReadOnlyData);
            _next++;
        }
    }

    public void Verify(FrameChecksum expected)
    {
        if (Received != expected.Frames) throw new InvalidOperationException($"Received {Received} frames; the database holds {expected.Frames}.");
        if (_sum.Value != expected.Value || _sum.PayloadBytes != expected.PayloadBytes)
        {
            throw new InvalidOperationException($"Checksum {_sum.Value:X16} over {_sum.PayloadBytes} payload bytes; the database's is {expected.Value:X16} over {expected.PayloadBytes}.");
        }
    }
}
