using System.Buffers;
using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Core.Tests.Candump;

public class CandumpLogWriterTests
{
    /// <summary>One line of every variant, in the canonical form the writer produces.</summary>
    public static readonly string[] CanonicalLines =
    [
        "(1436509052.249713) can0 123#DEADBEEF",
        "(1436509052.249714) can0 7FF#",
        "(1436509052.249715) can0 000#0102030405060708",
        "(1436509052.249716) can1 00000285#AABB",
        "(1436509052.249717) can1 1FFFFFFF#11",
        "(1436509052.249718) can0 123#R",
        "(1436509052.249719) can0 123#R5",
        "(1436509052.249720) can1 12345678#R8",
        "(1436509052.249721) can0 123#R8_F",
        "(1436509052.249722) can0 123#1122334455667788_A",
        "(1436509052.249723) can1 00000123#1122334455667788_F",
        "(1436509052.249724) can0 123##4",
        "(1436509052.249725) can0 123##5112233",
        "(1436509052.249726) can0 123##6AA",
        "(1436509052.249727) can0 123##7AABB",
        "(1436509052.249728) can1 00000001##5000102030405060708090A0B",
        "(1436509052.249729) can1 1FFFFFFF##4" + "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
        "(1436509052.249730) can0 20000004#0004000000000000",
        "(1436509052.249731) can0 20000080#",
        "(0.000000) can0 123#11",
        "(1.000001) can0 123#11",
    ];

    public static TheoryData<string> Lines() => new(CanonicalLines);

    [Theory]
    [MemberData(nameof(Lines))]
    public void Canonical_lines_round_trip_byte_for_byte(string line)
    {
        var frame = ParseHelper.ParseOk(line, out var iface);
        Assert.Equal(line, CandumpLineFormatter.FormatLine(in frame, iface));
    }

    [Theory]
    [InlineData("(0000000166.000001)   can0 123#de.ad.be.ef R", "(166.000001) can0 123#DEADBEEF")]
    [InlineData("(1.000000) can0 123#r", "(1.000000) can0 123#R")]
    [InlineData("(1.000000) can0 123#R0", "(1.000000) can0 123#R")]
    [InlineData("(1.000000) can0 123##0aa", "(1.000000) can0 123##0AA")]
    [InlineData("(1.000000) can0 123##1.aa.bb", "(1.000000) can0 123##1AABB")]
    [InlineData("(1.000000) can0 123#1122334455667788_a", "(1.000000) can0 123#1122334455667788_A")]
    public void Other_accepted_forms_are_written_canonically_and_reparse_to_the_same_frame(string input, string canonical)
    {
        var frame = ParseHelper.ParseOk(input, out var iface);
        string written = CandumpLineFormatter.FormatLine(in frame, iface);
        Assert.Equal(canonical, written);
        Assert.True(ParseHelper.ParseOk(written, out _).ContentEquals(frame));
    }

    [Fact]
    public void Timestamps_are_truncated_to_microseconds()
    {
        var frame = new CanFrame { TimestampNs = 1_700_000_000_123_456_999, Id = 0x1 };
        Assert.Equal("(1700000000.123456) can0 001#", CandumpLineFormatter.FormatLine(in frame, "can0"));
    }

    [Fact]
    public void Writer_output_reparses_to_the_same_frames_through_the_reader()
    {
        var frames = CanonicalLines.Select(l => ParseHelper.ParseOk(l, out var iface) with { InterfaceId = iface == "can0" ? (ushort)0 : (ushort)1 }).ToArray();
        var stream = new MemoryStream();
        using (var writer = new CandumpLogWriter(stream, id => id == 0 ? "can0" : "can1", leaveOpen: true))
        {
            writer.Write(frames);
            Assert.Equal(frames.Length, writer.FramesWritten);
        }
        Assert.Equal(string.Concat(CanonicalLines.Select(l => l + "\n")), Encoding.ASCII.GetString(stream.ToArray()));

        stream.Position = 0;
        using var reader = new CandumpLogReader(stream, "memory", name => name == "can0" ? (ushort)0 : (ushort)1);
        var batch = new FrameBatch(100);
        reader.ReadBatch(batch);
        Assert.Equal(0, reader.MalformedLines);
        Assert.Equal(frames.Length, batch.Count);
        for (int k = 0; k < frames.Length; k++) Assert.True(frames[k].ContentEquals(batch.Frames[k]), $"frame {k}: {frames[k]} vs {batch.Frames[k]}");
    }

    [Fact]
    public void Formats_into_an_IBufferWriter()
    {
        var output = new ArrayBufferWriter<byte>();
        var frame = ParseHelper.ParseOk("(5.000006) can0 00000285##1AA", out _);
        CandumpLineFormatter.Write(in frame, "vcan0"u8, output);
        Assert.Equal("(5.000006) vcan0 00000285##1AA\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    public static TheoryData<string, CanFrame> InvalidFrames() => new()
    {
        { "before the Unix epoch", new CanFrame { TimestampNs = -1 } },
        { "id too large", new CanFrame { Id = 0x800 } },
        { "id too large", new CanFrame { Id = 0x2000_0000, Flags = CanFrameFlags.Extended } },
        { "at most 8", new CanFrame { Length = 9 } },
        { "invalid CAN FD length", new CanFrame { Length = 9, Flags = CanFrameFlags.Fd } },
        { "no remote form", new CanFrame { Flags = CanFrameFlags.Fd | CanFrameFlags.Remote } },
        { "not CAN FD", new CanFrame { Flags = CanFrameFlags.BitRateSwitch } },
        { "len8_dlc must be 9-15", new CanFrame { Length = 7, Len8Dlc = 9 } },
        { "len8_dlc must be 9-15", new CanFrame { Length = 8, Len8Dlc = 16 } },
        { "only to classic", new CanFrame { Length = 8, Len8Dlc = 9, Flags = CanFrameFlags.Fd } },
        { "error frame cannot be remote", new CanFrame { Flags = CanFrameFlags.Error | CanFrameFlags.Remote } },
        { "error frame carries at most 8", new CanFrame { Flags = CanFrameFlags.Error, Length = 12 } },
        { "not CAN FD", new CanFrame { FdFlagsExtra = CanFdFlagsExtra.Bit3 } },
        { "not CAN FD", new CanFrame { Flags = CanFrameFlags.Error, FdFlagsExtra = CanFdFlagsExtra.FdfClear } },
        { "not FdfClear or Bit3", new CanFrame { Flags = CanFrameFlags.Fd, FdFlagsExtra = (CanFdFlagsExtra)0x1 } },
        { "not FdfClear or Bit3", new CanFrame { Flags = CanFrameFlags.Fd, FdFlagsExtra = (CanFdFlagsExtra)0x10 } },
    };

    [Theory]
    [MemberData(nameof(InvalidFrames))]
    public void Invalid_frames_are_refused_before_anything_is_written(string reasonPart, CanFrame frame)
    {
        Assert.Contains(reasonPart, CandumpLineFormatter.Validate(in frame));
        var stream = new MemoryStream();
        using (var writer = new CandumpLogWriter(stream, _ => "can0", leaveOpen: true))
        {
            writer.Write(new CanFrame { Id = 0x100 });
            var ex = Assert.Throws<ArgumentException>(() => writer.Write(in frame));
            Assert.Contains(reasonPart, ex.Message);
            Assert.Equal(1, writer.FramesWritten);
        }
        Assert.Equal("(0.000000) can0 100#\n", Encoding.ASCII.GetString(stream.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("can 0")]
    [InlineData("can0\n")]
    public void Interface_names_that_would_break_the_line_are_refused(string name)
    {
        using var writer = new CandumpLogWriter(new MemoryStream(), _ => name);
        Assert.Throws<ArgumentException>(() => writer.Write(new CanFrame { Id = 1 }));
    }

    [Fact]
    public void Writing_does_not_allocate_per_frame()
    {
        var frame = ParseHelper.ParseOk("(1436509052.249713) can0 123##5112233445566778899AABBCC", out _);
        var stream = new MemoryStream(4 << 20);
        using var writer = new CandumpLogWriter(stream, _ => "can0", leaveOpen: true);
        writer.Write(in frame); // warm up: resolves and caches the interface name
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20_000; k++) writer.Write(in frame);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Under one byte per frame: any per-frame object would be at least 24 bytes each. A fixed few KB can
        // come from the runtime on this thread (tier-up, a pool refill) and are not the writer's.
        Assert.True(allocated < 20_000, $"{allocated} bytes allocated for 20000 frames");
    }
}
