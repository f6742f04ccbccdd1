using CanMesh.Candump;
using CanMesh.Frames;
using static CanMesh.Core.Tests.Candump.ParseHelper;

namespace CanMesh.Core.Tests.Candump;

public class CandumpLineParserTests
{
    private const CanFrameFlags Ext = CanFrameFlags.Extended;

    [Theory]
    // classic standard ids, upper/lower case, separators, empty data
    [InlineData("(1436509052.249713) can0 123#DEADBEEF", "can0", 0x123u, CanFrameFlags.None, 4, "DEADBEEF", 0)]
    [InlineData("(1436509052.249713) can0 7ff#deadbeef", "can0", 0x7FFu, CanFrameFlags.None, 4, "DEADBEEF", 0)]
    [InlineData("(1436509052.249713) can0 000#", "can0", 0x000u, CanFrameFlags.None, 0, "", 0)]
    [InlineData("(1436509052.249713) can0 123#11.22.33", "can0", 0x123u, CanFrameFlags.None, 3, "112233", 0)]
    [InlineData("(1436509052.249713) can0 123#.11.22.33", "can0", 0x123u, CanFrameFlags.None, 3, "112233", 0)]
    [InlineData("(1436509052.249713) can0 123#1122.33", "can0", 0x123u, CanFrameFlags.None, 3, "112233", 0)]
    [InlineData("(1436509052.249713) can0 123#0102030405060708", "can0", 0x123u, CanFrameFlags.None, 8, "0102030405060708", 0)]
    // extended ids: 8 digits are extended even when the value is small
    [InlineData("(1436509052.249713) can1 00000285#AABB", "can1", 0x285u, Ext, 2, "AABB", 0)]
    [InlineData("(1436509052.249713) can1 1FFFFFFF#", "can1", 0x1FFFFFFFu, Ext, 0, "", 0)]
    [InlineData("(1436509052.249713) can1 1abcdef0#aa.bb", "can1", 0x1ABCDEF0u, Ext, 2, "AABB", 0)]
    // remote frames
    [InlineData("(1436509052.249713) can0 123#R", "can0", 0x123u, CanFrameFlags.Remote, 0, "", 0)]
    [InlineData("(1436509052.249713) can0 123#r", "can0", 0x123u, CanFrameFlags.Remote, 0, "", 0)]
    [InlineData("(1436509052.249713) can0 123#R5", "can0", 0x123u, CanFrameFlags.Remote, 5, "", 0)]
    [InlineData("(1436509052.249713) can0 123#r8", "can0", 0x123u, CanFrameFlags.Remote, 8, "", 0)]
    [InlineData("(1436509052.249713) can0 123#R0", "can0", 0x123u, CanFrameFlags.Remote, 0, "", 0)]
    [InlineData("(1436509052.249713) can0 12345678#R3", "can0", 0x12345678u, Ext | CanFrameFlags.Remote, 3, "", 0)]
    [InlineData("(1436509052.249713) can0 123#R8_F", "can0", 0x123u, CanFrameFlags.Remote, 8, "", 15)]
    // len8_dlc
    [InlineData("(1436509052.249713) can0 123#1122334455667788_A", "can0", 0x123u, CanFrameFlags.None, 8, "1122334455667788", 10)]
    [InlineData("(1436509052.249713) can0 123#1122334455667788_9", "can0", 0x123u, CanFrameFlags.None, 8, "1122334455667788", 9)]
    [InlineData("(1436509052.249713) can0 00000123#11.22.33.44.55.66.77.88_f", "can0", 0x123u, Ext, 8, "1122334455667788", 15)]
    // error frames: CAN_ERR_FLAG in the id, class bits kept, data up to 8 bytes
    [InlineData("(1436509052.249713) can0 20000004#0004000000000000", "can0", 0x4u, CanFrameFlags.Error, 8, "0004000000000000", 0)]
    [InlineData("(1436509052.249713) can0 20000080#", "can0", 0x80u, CanFrameFlags.Error, 0, "", 0)]
    [InlineData("(1436509052.249713) can0 3FFFFFFF#0102", "can0", 0x1FFFFFFFu, CanFrameFlags.Error, 2, "0102", 0)]
    public void Parses_classic_remote_and_error_frames(string line, string iface, uint id, CanFrameFlags flags, int length, string data, int len8Dlc)
    {
        var frame = ParseOk(line, out var name);
        Assert.Equal(iface, name);
        Assert.Equal(id, frame.Id);
        Assert.Equal(flags, frame.Flags);
        Assert.Equal(length, frame.Length);
        Assert.Equal(Hex(data), frame.ReadOnlyData.ToArray());
        Assert.Equal(len8Dlc, frame.Len8Dlc);
        Assert.Equal(1436509052_249713_000L, frame.TimestampNs);
    }

    [Theory]
    [InlineData("123##0", 0x123u, CanFrameFlags.Fd, "")]
    [InlineData("123##1112233", 0x123u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, "112233")]
    [InlineData("123##2AA", 0x123u, CanFrameFlags.Fd | CanFrameFlags.ErrorStateIndicator, "AA")]
    [InlineData("123##3AA", 0x123u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator, "AA")]
    [InlineData("123##4AA", 0x123u, CanFrameFlags.Fd, "AA")]
    [InlineData("123##5aa", 0x123u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, "AA")]
    [InlineData("123##7AA", 0x123u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator, "AA")]
    [InlineData("123##1.11.22", 0x123u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, "1122")]
    [InlineData("00000001##1000102030405060708090A0B", 0x1u, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | Ext, "000102030405060708090A0B")]
    public void Parses_fd_frames(string frameText, uint id, CanFrameFlags flags, string data)
    {
        var frame = ParseOk($"(0.000001) can0 {frameText}", out _);
        Assert.Equal(id, frame.Id);
        Assert.Equal(flags, frame.Flags);
        Assert.Equal(Hex(data), frame.ReadOnlyData.ToArray());
        Assert.Equal(0, frame.Len8Dlc);
        Assert.Equal(1_000L, frame.TimestampNs);
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(7)] [InlineData(8)] [InlineData(12)] [InlineData(16)]
    [InlineData(20)] [InlineData(24)] [InlineData(32)] [InlineData(48)] [InlineData(64)]
    public void Parses_every_valid_fd_length(int length)
    {
        var data = Enumerable.Range(0, length).Select(k => (byte)(k * 7)).ToArray();
        var frame = ParseOk($"(12.000000) can0 1A0##1{Convert.ToHexString(data)}", out _);
        Assert.Equal(length, frame.Length);
        Assert.Equal(data, frame.ReadOnlyData.ToArray());
    }

    [Theory]
    [InlineData("(0.000000) vcan0 123#", 0L)]
    [InlineData("(166.000000) vcan0 123#", 166_000_000_000L)]
    [InlineData("(0000000166.000123) vcan0 123#", 166_000_123_000L)] // candump's "%010lu" form
    [InlineData("(9223372035.999999) vcan0 123#", 9_223_372_035_999_999_000L)]
    public void Parses_timestamps_to_nanoseconds(string line, long expectedNs)
    {
        Assert.Equal(expectedNs, ParseOk(line, out _).TimestampNs);
    }

    [Theory]
    // candump pads interface names to the longest one ("%*s"); -x adds the direction R/T; trailing blanks are harmless
    [InlineData("(1.000000)   can0 123#11", "can0")]
    [InlineData("(1.000000) vcan10 123#11 R", "vcan10")]
    [InlineData("(1.000000) can0 123#11 T", "can0")]
    [InlineData("(1.000000)\tcan0\t123#11\t", "can0")]
    [InlineData("(1.000000) can0 123#R R", "can0")]
    [InlineData("(1.000000) any-if.name_1 123#11", "any-if.name_1")]
    [InlineData("(1.000000) abcdefghijklmno 123#11", "abcdefghijklmno")] // 15 bytes, the longest Linux allows
    [InlineData("(1.000000) canääääää 123#11", "canääääää")]             // 9 characters, 15 UTF-8 bytes
    public void Accepts_the_layouts_candump_writes(string line, string iface)
    {
        var frame = ParseOk(line, out var name);
        Assert.Equal(iface, name);
        Assert.Equal(0x123u, frame.Id);
    }

    [Fact]
    public void Leaves_the_interface_id_to_the_caller()
    {
        var frame = new CanFrame { InterfaceId = 42 };
        Assert.True(CandumpLineParser.TryParse("(1.000000) can0 123#11".AsSpan(), ref frame, out _, out _));
        Assert.Equal(42, frame.InterfaceId);
    }
}
