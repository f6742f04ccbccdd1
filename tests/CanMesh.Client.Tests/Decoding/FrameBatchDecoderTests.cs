using CanMesh.Client.Decoding;
using CanFrameFlags = CanMesh.Frames.CanFrameFlags;
using CanMesh.Protos.V1;
using Google.Protobuf;

namespace CanMesh.Client.Tests.Decoding;

/// <summary>The allocation-free decoder reads exactly what the generated parser reads.</summary>
public sealed class FrameBatchDecoderTests
{
    private static readonly byte[] EightBytes = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04];

    /// <summary>One frame of every kind the capture stores, with every field set somewhere.</summary>
    private static FrameBatch EveryKind()
    {
        var batch = new FrameBatch { CommittedSeq = 1_000_000_000_000, ThroughSeq = 900_000_000_000, CaptureId = "6f0c8d7e-4b8e-4a59-9a55-0d0f8e6b2a11" };
        batch.Interfaces.Add(new InterfaceName { Id = 1, Name = "can0" });
        batch.Interfaces.Add(new InterfaceName { Id = 65535, Name = "can-fd-with-a-long-name" });
        var seq = 899_999_999_990UL;
        Frame F(uint flags, uint id, byte[] data, uint length = 0, uint len8Dlc = 0, uint iface = 1, long ts = 1_436_509_052_249_713_000) =>
            new() { Seq = seq++, TimestampNs = ts, InterfaceId = iface, CanId = id, Flags = flags, Data = ByteString.CopyFrom(data), Length = length, Len8Dlc = len8Dlc };
        batch.Frames.Add(F(0, 0x123, EightBytes));                                 // classic, 11-bit
        batch.Frames.Add(F(1, 0x1FFF_FFFF, [0x01]));                               // 29-bit
        batch.Frames.Add(F(2, 0x7FF, [], length: 8));                              // remote, requested length 8
        batch.Frames.Add(F(4, 0x0000_0004, EightBytes, iface: 65535));             // error frame (class bits)
        batch.Frames.Add(F(8 | 16 | 32, 0x1A0, [.. Enumerable.Range(0, 64).Select(i => (byte)i)])); // FD, BRS, ESI, 64 bytes
        batch.Frames.Add(F(0, 0x100, EightBytes, len8Dlc: 15));                    // DLC 15 on the wire
        batch.Frames.Add(F(0, 0, [], ts: 0));                                      // all zero: fields left out
        batch.Frames.Add(F(1 | 8, 0x18DAF110, [.. Enumerable.Range(0, 12).Select(i => (byte)(0xF0 + i))], ts: -5)); // extended FD, negative time
        return batch;
    }

    [Fact]
    public void Decodes_every_frame_kind_field_for_field_as_the_generated_parser()
    {
        var message = EveryKind();
        var decoded = new DecodedFrameBatch(2); // smaller than the batch: it grows

        FrameBatchDecoder.Decode(message.ToByteArray(), decoded);

        Assert.Equal(message.CommittedSeq, decoded.CommittedSeq);
        Assert.Equal(message.ThroughSeq, decoded.ThroughSeq);
        Assert.Equal(message.CaptureId, decoded.CaptureId);
        Assert.Equal(message.Interfaces.Select(i => (i.Id, i.Name)), decoded.Interfaces);
        Assert.Equal(message.Frames.Count, decoded.Count);
        for (var i = 0; i < decoded.Count; i++)
        {
            var expected = message.Frames[i];
            var frame = decoded.Frames[i];
            var remote = (expected.Flags & 2) != 0;
            Assert.Equal(expected.Seq, decoded.Seqs[i]);
            Assert.Equal(expected.TimestampNs, frame.TimestampNs);
            Assert.Equal(expected.InterfaceId, frame.InterfaceId);
            Assert.Equal(expected.CanId, frame.Id);
            Assert.Equal(expected.Flags, (uint)frame.Flags);
            Assert.Equal(remote ? expected.Length : (uint)expected.Data.Length, frame.Length);
            Assert.Equal(expected.Data.ToByteArray(), frame.ReadOnlyData.ToArray());
            Assert.Equal(expected.Len8Dlc, frame.Len8Dlc);
        }
    }

    [Fact]
    public void A_refill_forgets_the_previous_batch()
    {
        var decoded = new DecodedFrameBatch();
        FrameBatchDecoder.Decode(EveryKind().ToByteArray(), decoded);

        var heartbeat = new FrameBatch { CommittedSeq = 7, ThroughSeq = 7 };
        FrameBatchDecoder.Decode(heartbeat.ToByteArray(), decoded);

        Assert.Equal(0, decoded.Count);
        Assert.Null(decoded.CaptureId);
        Assert.Empty(decoded.Interfaces);
        Assert.Equal(7UL, decoded.ThroughSeq);
    }

    [Fact]
    public void Fields_a_newer_server_adds_are_skipped()
    {
        var message = EveryKind();
        var frame = message.Frames[0];
        // A frame with unknown fields 9 (varint), 10 (fixed64), 11 (bytes) and 12 (fixed32) after its own.
        var frameBytes = frame.ToByteArray().Concat(new byte[] { 0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5A, 2, 0xAA, 0xBB, 0x65, 1, 2, 3, 4 }).ToArray();
        var batchBytes = new List<byte> { 0x0A, (byte)frameBytes.Length };
        batchBytes.AddRange(frameBytes);
        batchBytes.AddRange([0x30, 0x01]);            // unknown batch field 6, varint
        batchBytes.AddRange([0x18, 0x2A]);            // through_seq 42
        var decoded = new DecodedFrameBatch();

        FrameBatchDecoder.Decode(batchBytes.ToArray(), decoded);

        Assert.Equal(1, decoded.Count);
        Assert.Equal(frame.Seq, decoded.Seqs[0]);
        Assert.Equal(EightBytes, decoded.Frames[0].ReadOnlyData.ToArray());
        Assert.Equal(42UL, decoded.ThroughSeq);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x08 }, "runs past the end")]                    // frame longer than the message
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF }, "varint runs past the end")]             // truncated varint
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "longer than 10 bytes")]
    [InlineData(new byte[] { 0x00, 0x01 }, "field number 0")]
    [InlineData(new byte[] { 0x0B }, "wire type 3")]                                      // group start: not in proto3
    public void A_malformed_message_is_a_FormatException_that_says_what_is_wrong(byte[] bytes, string says)
    {
        var e = Assert.Throws<FormatException>(() => FrameBatchDecoder.Decode(bytes, new DecodedFrameBatch()));
        Assert.Contains(says, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Sixty_five_data_bytes_are_refused()
    {
        var message = new FrameBatch();
        message.Frames.Add(new Frame { Seq = 1, Flags = 8, Data = ByteString.CopyFrom(new byte[65]) });

        var e = Assert.Throws<FormatException>(() => FrameBatchDecoder.Decode(message.ToByteArray(), new DecodedFrameBatch()));
        Assert.Contains("65 data bytes", e.Message);
    }

    [Fact]
    public void Skipping_frames_seen_before_leaves_the_rest()
    {
        var decoded = new DecodedFrameBatch();
        FrameBatchDecoder.Decode(EveryKind().ToByteArray(), decoded);
        var first = decoded.Seqs[0];

        Assert.Equal(3, decoded.SkipThrough(first + 2));

        Assert.Equal(5, decoded.Count);
        Assert.Equal(first + 3, decoded.Seqs[0]);
        Assert.Equal(CanFrameFlags.Error, decoded.Frames[0].Flags);
    }

    [Fact]
    public void Decoding_allocates_nothing_per_frame()
    {
        var message = new FrameBatch { CommittedSeq = 5000, ThroughSeq = 4096 };
        for (var i = 1; i <= 4096; i++)
        {
            message.Frames.Add(new Frame { Seq = (ulong)i, TimestampNs = 1_700_000_000_000_000_000 + i, InterfaceId = 1, CanId = (uint)(0x100 + i % 64), Data = ByteString.CopyFrom(EightBytes) });
        }
        var bytes = message.ToByteArray();
        var decoded = new DecodedFrameBatch(4096);
        FrameBatchDecoder.Decode(bytes, decoded); // warm-up (JIT)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 50; round++) FrameBatchDecoder.Decode(bytes, decoded);
        var perFrame = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / (50 * 4096);

        Assert.Equal(4096, decoded.Count);
        Assert.True(perFrame < 0.01, $"{perFrame:F4} bytes allocated per frame");
    }
}
