using System.Buffers;
using System.Text;
using CanMesh.Frames;

namespace CanMesh.Client.Decoding;

/// <summary>
/// Decodes the protobuf bytes of a canmesh.v1.FrameBatch (protos/canmesh/v1/capture.proto) into a
/// <see cref="DecodedFrameBatch"/> without one object per frame: what the generated parser does with a
/// Frame and a ByteString per frame. Fields it does not know are skipped, as protobuf requires, so a
/// newer server's additions do not break it.
/// </summary>
public static class FrameBatchDecoder
{
    // FrameBatch fields.
    private const uint BatchFrames = 1, BatchCommittedSeq = 2, BatchThroughSeq = 3, BatchInterfaces = 4, BatchCaptureId = 5;

    // Frame fields.
    private const uint FrameSeq = 1, FrameTimestamp = 2, FrameInterface = 3, FrameCanId = 4, FrameFlags = 5, FrameData = 6, FrameLength = 7, FrameLen8Dlc = 8;

    // Wire types.
    private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;

    /// <exception cref="FormatException">The bytes are not a valid FrameBatch.</exception>
    public static void Decode(ReadOnlySpan<byte> message, DecodedFrameBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        var reader = new Reader(message);
        while (!reader.End)
        {
            var (field, wireType) = reader.Tag();
            switch (field)
            {
                case BatchFrames when wireType == WireLengthDelimited:
                    DecodeFrame(reader.Bytes(), into);
                    break;
                case BatchCommittedSeq when wireType == WireVarint:
                    into.CommittedSeq = reader.Varint();
                    break;
                case BatchThroughSeq when wireType == WireVarint:
                    into.ThroughSeq = reader.Varint();
                    break;
                case BatchInterfaces when wireType == WireLengthDelimited:
                    DecodeInterface(reader.Bytes(), into);
                    break;
                case BatchCaptureId when wireType == WireLengthDelimited:
                    into.CaptureId = Encoding.UTF8.GetString(reader.Bytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, DecodedFrameBatch)"/>
    public static void Decode(in ReadOnlySequence<byte> message, DecodedFrameBatch into)
    {
        if (message.IsSingleSegment)
        {
            Decode(message.FirstSpan, into);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(checked((int)message.Length));
        try
        {
            message.CopyTo(buffer);
            Decode(buffer.AsSpan(0, (int)message.Length), into);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void DecodeFrame(ReadOnlySpan<byte> bytes, DecodedFrameBatch into)
    {
        var reader = new Reader(bytes);
        ulong seq = 0;
        long timestamp = 0;
        uint interfaceId = 0, canId = 0, flags = 0, length = 0, len8Dlc = 0;
        var data = ReadOnlySpan<byte>.Empty;
        while (!reader.End)
        {
            var (field, wireType) = reader.Tag();
            switch (field)
            {
                case FrameSeq when wireType == WireVarint: seq = reader.Varint(); break;
                case FrameTimestamp when wireType == WireVarint: timestamp = (long)reader.Varint(); break;
                case FrameInterface when wireType == WireVarint: interfaceId = (uint)reader.Varint(); break;
                case FrameCanId when wireType == WireVarint: canId = (uint)reader.Varint(); break;
                case FrameFlags when wireType == WireVarint: flags = (uint)reader.Varint(); break;
                case FrameData when wireType == WireLengthDelimited: data = reader.Bytes(); break;
                case FrameLength when wireType == WireVarint: length = (uint)reader.Varint(); break;
                case FrameLen8Dlc when wireType == WireVarint: len8Dlc = (uint)reader.Varint(); break;
                default: reader.Skip(wireType); break;
            }
        }
        if (data.Length > CanFrame.MaxFdLength) throw new FormatException($"Frame seq {seq} carries {data.Length} data bytes; a CAN FD frame has at most {CanFrame.MaxFdLength}.");
        if (interfaceId > ushort.MaxValue) throw new FormatException($"Frame seq {seq} has interface id {interfaceId}, beyond the {ushort.MaxValue} a capture numbers.");

        ref var frame = ref into.Add(seq);
        frame.TimestampNs = timestamp;
        frame.InterfaceId = (ushort)interfaceId;
        frame.Id = canId;
        frame.Flags = (CanFrameFlags)(byte)flags;
        frame.Len8Dlc = (byte)len8Dlc;
        if (frame.IsRemote)
        {
            frame.Length = (byte)Math.Min(length, CanFrame.MaxFdLength);
        }
        else
        {
            frame.Length = (byte)data.Length;
            data.CopyTo(frame.Payload);
        }
    }

    private static void DecodeInterface(ReadOnlySpan<byte> bytes, DecodedFrameBatch into)
    {
        var reader = new Reader(bytes);
        uint id = 0;
        var name = "";
        while (!reader.End)
        {
            var (field, wireType) = reader.Tag();
            if (field == 1 && wireType == WireVarint) id = (uint)reader.Varint();
            else if (field == 2 && wireType == WireLengthDelimited) name = Encoding.UTF8.GetString(reader.Bytes());
            else reader.Skip(wireType);
        }
        into.AddInterface(id, name);
    }

    /// <summary>Protobuf wire format over a span: tags, varints, length-delimited fields.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly bool End => _position >= _bytes.Length;

        public (uint Field, int WireType) Tag()
        {
            var tag = Varint();
            var field = (uint)(tag >> 3);
            if (field == 0) throw new FormatException($"Invalid field number 0 at byte {_position}.");
            return (field, (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _bytes.Length) throw new FormatException("A varint runs past the end of the message.");
                var b = _bytes[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw new FormatException("A varint is longer than 10 bytes.");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(_bytes.Length - _position)) throw new FormatException("A length-delimited field runs past the end of the message.");
            var slice = _bytes.Slice(_position, (int)length);
            _position += (int)length;
            return slice;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case WireVarint: Varint(); break;
                case WireFixed64: Advance(8); break;
                case WireLengthDelimited: Bytes(); break;
                case WireFixed32: Advance(4); break;
                default: throw new FormatException($"Unsupported wire type {wireType} at byte {_position}.");
            }
        }

        private void Advance(int n)
        {
            if (n > _bytes.Length - _position) throw new FormatException("A fixed-size field runs past the end of the message.");
            _position += n;
        }
    }
}
