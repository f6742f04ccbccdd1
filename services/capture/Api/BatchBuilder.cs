using CanMesh.Frames;
using CanMesh.Store;

namespace CanMesh.Capture.Api;

/// <summary>
/// Fills a stream's <see cref="EncodedFrameBatch"/> from frames read from the journal: applies the
/// stream's filter, and names each interface the first time it appears on the stream.
/// </summary>
internal sealed class BatchBuilder
{
    private readonly FrameMatcher _matcher;
    private readonly InterfaceCatalog _interfaces;
    private readonly HashSet<ushort> _announced = [];

    public BatchBuilder(FrameMatcher matcher, InterfaceCatalog interfaces, int batchFrames)
    {
        _matcher = matcher;
        _interfaces = interfaces;
        Batch = new EncodedFrameBatch(batchFrames);
    }

    public EncodedFrameBatch Batch { get; }

    /// <summary>Starts a new batch with the frames that pass the filter (and, if given, fall in the time range); returns how many.</summary>
    public int Fill(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs, long fromNs = long.MinValue, long toNs = long.MaxValue, long limit = long.MaxValue)
    {
        Batch.Clear();
        for (var i = 0; i < frames.Length && Batch.Count < limit; i++)
        {
            ref readonly var frame = ref frames[i];
            if (frame.TimestampNs < fromNs || frame.TimestampNs > toNs || !_matcher.Matches(frame)) continue;
            if (_announced.Add(frame.InterfaceId)) Batch.AddInterface(frame.InterfaceId, _interfaces.NameOf(frame.InterfaceId));
            Batch.Add(seqs[i], frame);
        }
        return Batch.Count;
    }
}
