using System.Buffers;
using System.Text;
using CanMesh.Frames;
using CanMesh.Protos.V1;
using Grpc.Core;
using ProtoFrameBatch = CanMesh.Protos.V1.FrameBatch;

namespace CanMesh.Capture.Api;

/// <summary>
/// A canmesh.v1.FrameBatch built from the store's frame arrays and encoded straight into the response
/// buffer: the bytes are exactly what the generated FrameBatch class writes (fields in number order,
/// zero values left out), without one Frame object and one ByteString per frame. One instance per
/// stream, refilled for every batch (the transport has serialized it when WriteAsync returns).
/// Travels through <see cref="Marshaller"/>, which hands the bytes to Kestrel's response pipe.
/// </summary>
internal sealed class EncodedFrameBatch
{
    /// <summary>
    /// Serializes a batch for Grpc.AspNetCore: the payload length first (so the 5-byte gRPC prefix is
    /// written without buffering), then the encoding straight into the response's buffer writer.
    /// Server to client only; clients parse canmesh.v1.FrameBatch.
    /// </summary>
    public static readonly Marshaller<EncodedFrameBatch> Marshaller = Marshallers.Create<EncodedFrameBatch>(
        static (batch, context) =>
        {
            var size = batch.CalculateEncodedSize();
            context.SetPayloadLength(size);
            batch.Encode(context.GetBufferWriter(), size);
            context.Complete();
        },
        static _ => throw new NotSupportedException("EncodedFrameBatch is write-only; parse canmesh.v1.FrameBatch."));

    private CanFrame[] _frames;
    private long[] _seqs;
    private readonly List<(uint Id, string Name)> _interfaces = [];
    private byte[] _buffer = [];

    public EncodedFrameBatch(int capacity)
    {
        _frames = new CanFrame[capacity];
        _seqs = new long[capacity];
    }

    public EncodedFrameBatch() : this(1)
    {
    }

    public int Count { get; private set; }
    public int Capacity => _frames.Length;
    public long CommittedSeq { get; set; }
    public long ThroughSeq { get; set; }
    public string? CaptureId { get; set; }

    public void Clear()
    {
        Count = 0;
        _interfaces.Clear();
        CaptureId = null;
    }

    public void Add(long seq, in CanFrame frame)
    {
        _seqs[Count] = seq;
        _frames[Count] = frame;
        Count++;
    }

    public void AddInterface(uint id, string name) => _interfaces.Add((id, name));

    public int CalculateEncodedSize()
    {
        var size = 0;
        for (var i = 0; i < Count; i++)
        {
            var frameSize = FrameSize(_seqs[i], _frames[i]);
            size += 1 + Varint.Size((ulong)frameSize) + frameSize;
        }
        if (CommittedSeq != 0) size += 1 + Varint.Size((ulong)CommittedSeq);
        if (ThroughSeq != 0) size += 1 + Varint.Size((ulong)ThroughSeq);
        foreach (var (id, name) in _interfaces)
        {
            var entry = InterfaceSize(id, name);
            size += 1 + Varint.Size((ulong)entry) + entry;
        }
        if (!string.IsNullOrEmpty(CaptureId)) size += StringFieldSize(CaptureId);
        return size;
    }

    public void Encode(IBufferWriter<byte> writer) => Encode(writer, CalculateEncodedSize());

    /// <param name="size">What <see cref="CalculateEncodedSize"/> returned for the batch as it is now.</param>
    public void Encode(IBufferWriter<byte> writer, int size)
    {
        // Encode into this batch's own buffer, then hand it over in one copy: the transport's writer
        // (Kestrel's HTTP/2 stream pipe) takes a lock on every GetSpan/Advance, which per frame cost
        // more than the encoding itself.
        if (_buffer.Length < size) _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
        var written = EncodeTo(_buffer);
        writer.Write(_buffer.AsSpan(0, written));
    }

    /// <summary>Writes the encoding into <paramref name="span"/> (at least <see cref="CalculateEncodedSize"/> long); returns its length.</summary>
    public int EncodeTo(Span<byte> span)
    {
        var n = 0;
        for (var i = 0; i < Count; i++)
        {
            ref readonly var frame = ref _frames[i];
            var seq = _seqs[i];
            span[n++] = 0x0A; // field 1, length-delimited
            n += Varint.Write(span[n..], (ulong)FrameSize(seq, frame));
            n += WriteFrame(span[n..], seq, frame);
        }
        if (CommittedSeq != 0)
        {
            span[n++] = 0x10;
            n += Varint.Write(span[n..], (ulong)CommittedSeq);
        }
        if (ThroughSeq != 0)
        {
            span[n++] = 0x18;
            n += Varint.Write(span[n..], (ulong)ThroughSeq);
        }
        foreach (var (id, name) in _interfaces)
        {
            span[n++] = 0x22; // field 4
            n += Varint.Write(span[n..], (ulong)InterfaceSize(id, name));
            if (id != 0)
            {
                span[n++] = 0x08;
                n += Varint.Write(span[n..], id);
            }
            n += WriteString(span[n..], 0x12, name);
        }
        if (!string.IsNullOrEmpty(CaptureId)) n += WriteString(span[n..], 0x2A, CaptureId);
        return n;
    }

    private static int FrameSize(long seq, in CanFrame frame)
    {
        var size = 1 + Varint.Size((ulong)seq);
        if (frame.TimestampNs != 0) size += 1 + Varint.Size((ulong)frame.TimestampNs);
        if (frame.InterfaceId != 0) size += 1 + Varint.Size(frame.InterfaceId);
        if (frame.Id != 0) size += 1 + Varint.Size(frame.Id);
        if (frame.Flags != 0) size += 2;
        var dataLength = frame.IsRemote ? 0 : frame.Length;
        if (dataLength != 0) size += 2 + dataLength;
        if (frame.IsRemote && frame.Length != 0) size += 2;
        if (frame.Len8Dlc != 0) size += 2;
        return size;
    }

    private static int WriteFrame(Span<byte> span, long seq, in CanFrame frame)
    {
        var n = 0;
        span[n++] = 0x08;
        n += Varint.Write(span[n..], (ulong)seq);
        if (frame.TimestampNs != 0)
        {
            span[n++] = 0x10;
            n += Varint.Write(span[n..], (ulong)frame.TimestampNs);
        }
        if (frame.InterfaceId != 0)
        {
            span[n++] = 0x18;
            n += Varint.Write(span[n..], frame.InterfaceId);
        }
        if (frame.Id != 0)
        {
            span[n++] = 0x20;
            n += Varint.Write(span[n..], frame.Id);
        }
        if (frame.Flags != 0)
        {
            span[n++] = 0x28;
            span[n++] = (byte)frame.Flags; // flags stay below 0x80: one varint byte
        }
        var data = frame.ReadOnlyData;
        if (!data.IsEmpty)
        {
            span[n++] = 0x32;
            span[n++] = (byte)data.Length; // at most 64: one varint byte
            data.CopyTo(span[n..]);
            n += data.Length;
        }
        if (frame.IsRemote && frame.Length != 0)
        {
            span[n++] = 0x38;
            span[n++] = frame.Length;
        }
        if (frame.Len8Dlc != 0)
        {
            span[n++] = 0x40;
            span[n++] = frame.Len8Dlc;
        }
        return n;
    }

    private static int InterfaceSize(uint id, string name) =>
        (id != 0 ? 1 + Varint.Size(id) : 0) + (name.Length != 0 ? StringFieldSize(name) : 0);

    private static int StringFieldSize(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        return 1 + Varint.Size((ulong)bytes) + bytes;
    }

    private static int WriteString(Span<byte> span, byte tag, string value)
    {
        if (value.Length == 0) return 0;
        var bytes = Encoding.UTF8.GetByteCount(value);
        var n = 0;
        span[n++] = tag;
        n += Varint.Write(span[n..], (ulong)bytes);
        n += Encoding.UTF8.GetBytes(value, span[n..]);
        return n;
    }

    /// <summary>The same batch as a generated message (slow path: tests and the CodedOutputStream fallback).</summary>
    public ProtoFrameBatch ToFrameBatch()
    {
        var size = CalculateEncodedSize();
        var buffer = new ArrayBufferWriter<byte>(Math.Max(size, 1));
        Encode(buffer);
        return ProtoFrameBatch.Parser.ParseFrom(buffer.WrittenSpan);
    }

    /// <summary>Protobuf base-128 varints.</summary>
    private static class Varint
    {
        public const int MaxSize = 10;

        public static int Size(ulong value) => value < 0x80 ? 1 : (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7;

        public static int Write(Span<byte> span, ulong value)
        {
            var n = 0;
            while (value >= 0x80)
            {
                span[n++] = (byte)(value | 0x80);
                value >>= 7;
            }
            span[n++] = (byte)value;
            return n;
        }
    }
}
