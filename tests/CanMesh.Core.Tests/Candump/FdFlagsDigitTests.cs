using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;
using static CanMesh.Core.Tests.Candump.ParseHelper;

namespace CanMesh.Core.Tests.Candump;

/// <summary>
/// The CAN FD flags digit after '##' is any hex nibble, as can-utils reads it. A public log whose frames carried
/// digit F lost those frames to an older parser; every digit must now read, and come back out unchanged.
/// </summary>
public class FdFlagsDigitTests
{
    /// <summary>
    /// A log in the style of real captures: absolute timestamps, two interfaces, classic and FD frames mixed, and every
    /// flags digit 0-F (digits 0-3 as written by a kernel or can-utils without FDF, 8-F with the undefined bit 3 set,
    /// as in the public log where 4 of 20 frames had digit F).
    /// </summary>
    public const string EveryDigitLog =
        "(1700000000.000100) can0 0CF00400#FF7D7D0000FFFFFF\n" +
        "(1700000000.000250) can1 123##0\n" +
        "(1700000000.000400) can1 123##1112233\n" +
        "(1700000000.000550) can1 18DAF110##20211223344556677\n" +
        "(1700000000.000700) can1 123##3112233445566778899AABBCC\n" +
        "(1700000000.000850) can1 1A0##4AA\n" +
        "(1700000000.001000) can1 1A0##5AABB\n" +
        "(1700000000.001150) can0 18FEF100#R\n" +
        "(1700000000.001300) can1 1A0##6AABBCC\n" +
        "(1700000000.001450) can1 1A0##7DEADBEEF\n" +
        "(1700000000.001600) can1 7DF##80102030405060708090A0B0C0D0E0F10\n" +
        "(1700000000.001750) can1 7DF##9\n" +
        "(1700000000.001900) can0 20000004#0004000000000000\n" +
        "(1700000000.002050) can1 7E8##A0011\n" +
        "(1700000000.002200) can1 7E8##B00112233445566778899AABBCCDDEEFF00112233\n" +
        "(1700000000.002350) can1 7E8##C01\n" +
        "(1700000000.002500) can1 7E8##D0102\n" +
        "(1700000000.002650) can1 7E8##E010203\n" +
        "(1700000000.002800) can1 1FFFFFFF##F" + "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF" + "\n" +
        "(1700000000.002950) can1 100##F\n" +
        "(1700000000.003100) can1 101##F11\n" +
        "(1700000000.003250) can1 00000102##F1122334455667788\n" +
        "(1700000000.003400) can0 123#1122334455667788_C\n";

    public static TheoryData<int> Digits() => new(Enumerable.Range(0, 16));

    [Theory]
    [MemberData(nameof(Digits))]
    public void Every_digit_reads_as_brs_esi_plus_the_kept_bits_and_is_written_back(int digit)
    {
        string line = $"(1.000000) can0 123##{digit:X}AA";
        var frame = ParseOk(line, out var iface);

        var expectedFlags = CanFrameFlags.Fd
            | ((digit & 1) != 0 ? CanFrameFlags.BitRateSwitch : 0)
            | ((digit & 2) != 0 ? CanFrameFlags.ErrorStateIndicator : 0);
        var expectedExtra = ((digit & 4) == 0 ? CanFdFlagsExtra.FdfClear : 0) | ((digit & 8) != 0 ? CanFdFlagsExtra.Bit3 : 0);
        Assert.Equal(expectedFlags, frame.Flags);
        Assert.Equal(expectedExtra, frame.FdFlagsExtra);
        Assert.Equal([0xAA], frame.ReadOnlyData.ToArray());
        Assert.Equal(line, CandumpLineFormatter.FormatLine(in frame, iface));
    }

    [Fact]
    public void A_lower_case_digit_is_kept_and_written_upper_case()
    {
        var frame = ParseOk("(1.000000) can0 123##faa", out var iface);
        Assert.Equal(CanFdFlagsExtra.Bit3, frame.FdFlagsExtra);
        Assert.Equal("(1.000000) can0 123##FAA", CandumpLineFormatter.FormatLine(in frame, iface));
    }

    [Fact]
    public void Frames_from_other_sources_are_written_with_fdf_as_current_candump_writes_them()
    {
        var frame = new CanFrame { Id = 0x123, Flags = CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, Length = 1 };
        frame.Data[0] = 0xAA;
        Assert.Equal("(0.000000) can0 123##5AA", CandumpLineFormatter.FormatLine(in frame, "can0"));
    }

    [Fact]
    public void A_log_with_every_digit_round_trips_byte_identical_through_reader_and_writer()
    {
        var skipped = new List<CandumpSkippedLine>();
        using var reader = new CandumpLogReader(new MemoryStream(Encoding.ASCII.GetBytes(EveryDigitLog)), "every-digit.log",
            name => name == "can0" ? (ushort)0 : (ushort)1, skipped.Add);
        var batch = new FrameBatch(100);
        reader.ReadBatch(batch);
        Assert.Empty(skipped);
        Assert.Equal(EveryDigitLog.Count(c => c == '\n'), batch.Count);

        var fd = batch.Frames.ToArray().Where(f => f.IsFd).ToArray();
        Assert.Equal(19, fd.Length);
        // The undefined bit survives on every frame that had it: digits 8-F, the four F frames included.
        Assert.Equal(11, fd.Count(f => (f.FdFlagsExtra & CanFdFlagsExtra.Bit3) != 0));
        Assert.Equal(8, fd.Count(f => (f.FdFlagsExtra & CanFdFlagsExtra.FdfClear) != 0));

        var output = new MemoryStream();
        using (var writer = new CandumpLogWriter(output, id => id == 0 ? "can0" : "can1", leaveOpen: true)) writer.Write(batch.Frames);
        Assert.Equal(EveryDigitLog, Encoding.ASCII.GetString(output.ToArray()));
    }
}
