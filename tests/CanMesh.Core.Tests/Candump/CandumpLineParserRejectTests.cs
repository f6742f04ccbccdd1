using static CanMesh.Core.Tests.Candump.ParseHelper;

namespace CanMesh.Core.Tests.Candump;

public class CandumpLineParserRejectTests
{
    [Theory]
    // line structure
    [InlineData("", "empty line")]
    [InlineData("1436509052.249713) can0 123#11", "does not start with '('")]
    [InlineData("   (1.000000) can0 123#11", "does not start with '('")]
    [InlineData("DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 3)", "does not start with '('")]
    // timestamp
    [InlineData("() can0 123#11", "no seconds")]
    [InlineData("(.000000) can0 123#11", "no seconds")]
    [InlineData("(1436509052) can0 123#11", "no '.'")]
    [InlineData("(1436509052,249713) can0 123#11", "no '.'")]
    [InlineData("(1436509052.24971) can0 123#11", "exactly 6 fractional digits")]
    [InlineData("(1436509052.2497130) can0 123#11", "exactly 6 fractional digits")]
    [InlineData("(1436509052.) can0 123#11", "exactly 6 fractional digits")]
    [InlineData("(1436509052.24x713) can0 123#11", "exactly 6 fractional digits")]
    [InlineData("(1436509052.249713 can0 123#11", "not closed by ')'")]
    [InlineData("(-1.000000) can0 123#11", "no seconds")]
    [InlineData("(9223372036.000000) can0 123#11", "out of range")]
    [InlineData("(99999999999999999999.000000) can0 123#11", "out of range")]
    [InlineData("(1.000000)can0 123#11", "space after the timestamp")]
    // interface and frame presence
    [InlineData("(1.000000)", "space after the timestamp")]
    [InlineData("(1.000000) ", "missing interface name")]
    [InlineData("(1.000000) 123#11", "found a frame where the interface name belongs")]
    [InlineData("(1.000000) can0", "missing frame")]
    [InlineData("(1.000000) can0   ", "missing frame")]
    // interface names: IFNAMSIZ is 16 bytes with the NUL
    [InlineData("(1.000000) abcdefghijklmnop 123#11", "interface name longer than 15 bytes")]
    [InlineData("(1.000000) canäääääää 123#11", "interface name longer than 15 bytes")] // 10 characters, 17 UTF-8 bytes
    [InlineData("(1.000000) can\u001b[31m 123#11", "interface name contains a control character")]
    [InlineData("(1.000000) can\u00000 123#11", "interface name contains a control character")]
    [InlineData("(1.000000) can\u007f 123#11", "interface name contains a control character")]
    // ids
    [InlineData("(1.000000) can0 12311", "no '#'")]
    [InlineData("(1.000000) can0 #11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 1#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 12#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 1234#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 123456#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 1234567#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 123456789#11", "3 (standard) or 8 (extended)")]
    [InlineData("(1.000000) can0 12345#80:00:11223344#11", "CAN XL")]
    [InlineData("(1.000000) can0 800#11", "above 7FF")]
    [InlineData("(1.000000) can0 FFF#11", "above 7FF")]
    [InlineData("(1.000000) can0 12G#11", "id is not hexadecimal")]
    [InlineData("(1.000000) can0 1234567Z#11", "id is not hexadecimal")]
    [InlineData("(1.000000) can0 80000123#11", "0x80000000 (EFF)")]
    [InlineData("(1.000000) can0 40000123#11", "0x40000000 (RTR)")]
    [InlineData("(1.000000) can0 C0000123#11", "0x80000000 (EFF)")]
    [InlineData("(1.000000) can0 A0000004#0004000000000000", "0x80000000 (EFF)")]
    // data
    [InlineData("(1.000000) can0 123#1", "odd number of hex digits")]
    [InlineData("(1.000000) can0 123#11223", "odd number of hex digits")]
    [InlineData("(1.000000) can0 123#11.2.33", "odd number of hex digits")]
    [InlineData("(1.000000) can0 123#1G", "not hexadecimal")]
    [InlineData("(1.000000) can0 123#XY", "not hexadecimal")]
    [InlineData("(1.000000) can0 123#11..22", "not hexadecimal")]
    [InlineData("(1.000000) can0 123#11.", "'.' in the data is not followed by a byte")]
    [InlineData("(1.000000) can0 123#112233445566778899", "at most 8")]
    [InlineData("(1.000000) can0 20000004#000400000000000000", "at most 8")]
    // len8_dlc
    [InlineData("(1.000000) can0 123#11223344556677_A", "needs exactly 8 data bytes")]
    [InlineData("(1.000000) can0 123#_A", "needs exactly 8 data bytes")]
    [InlineData("(1.000000) can0 123#1122334455667788_8", "9-F")]
    [InlineData("(1.000000) can0 123#1122334455667788_0", "9-F")]
    [InlineData("(1.000000) can0 123#1122334455667788_G", "9-F")]
    [InlineData("(1.000000) can0 123#1122334455667788_", "has no DLC digit")]
    [InlineData("(1.000000) can0 123#1122334455667788_AB", "after the len8_dlc suffix")]
    [InlineData("(1.000000) can0 123#1122334455667788_A_B", "after the len8_dlc suffix")]
    [InlineData("(1.000000) can0 20000004#0004000000000000_A", "error frames have no len8_dlc")]
    [InlineData("(1.000000) can0 123##01122334455667788_A", "only to classic frames")]
    // remote frames
    [InlineData("(1.000000) can0 123#R9", "length must be 0-8")]
    [InlineData("(1.000000) can0 123#RF", "length must be 0-8")]
    [InlineData("(1.000000) can0 123#R11", "cannot carry data")]
    [InlineData("(1.000000) can0 123#RX", "cannot carry data")]
    [InlineData("(1.000000) can0 123#R5_A", "cannot carry data")]
    [InlineData("(1.000000) can0 123#R8_5", "9-F")]
    [InlineData("(1.000000) can0 123#11R", "not hexadecimal")]
    [InlineData("(1.000000) can0 20000004#R", "error frames cannot be remote")]
    // CAN FD
    [InlineData("(1.000000) can0 123##", "no flags digit")]
    [InlineData("(1.000000) can0 123##R", "no remote form")]
    [InlineData("(1.000000) can0 123##r4", "no remote form")]
    [InlineData("(1.000000) can0 123##G11", "flags digit after '##' is not hexadecimal")]
    [InlineData("(1.000000) can0 123##1112233445566778899", "must be 0-8, 12, 16")]
    [InlineData("(1.000000) can0 123##1" + "00112233445566778899AABBCCDDEEFF" + "00112233445566778899AABBCCDDEEFF" + "00112233445566778899AABBCCDDEEFF" + "00112233445566778899AABBCCDDEEFF" + "00", "at most 64")]
    [InlineData("(1.000000) can0 123###11", "not hexadecimal")]
    [InlineData("(1.000000) can0 20000004##1000400", "error frames cannot be CAN FD")]
    // trailing garbage
    [InlineData("(1.000000) can0 123#11 X", "unexpected text after the frame")]
    [InlineData("(1.000000) can0 123#11 R T", "unexpected text after the frame")]
    [InlineData("(1.000000) can0 123#11 RX", "unexpected text after the frame")]
    [InlineData("(1.000000) can0 123#11 ; comment", "unexpected text after the frame")]
    [InlineData("(1.000000) can0 123#11\r", "not hexadecimal")]
    public void Rejects_with_a_reason(string line, string reasonPart)
    {
        var result = Parse(line);
        Assert.False(result.Ok, $"'{line}' was accepted");
        Assert.Contains(reasonPart, result.Error);
    }

    [Fact]
    public void Rejects_every_invalid_fd_length_between_8_and_64()
    {
        int[] valid = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
        foreach (int length in Enumerable.Range(9, 56).Except(valid))
        {
            var result = Parse($"(1.000000) can0 123##1{new string('A', 2 * length)}");
            Assert.False(result.Ok, $"length {length} accepted");
            Assert.Contains("must be 0-8, 12, 16", result.Error);
        }
    }

    [Fact]
    public void Rejects_non_ascii_without_throwing()
    {
        Assert.False(Parse("(1.000000) can0 123#ÄÖ").Ok);
        Assert.False(Parse("(１.000000) can0 123#11").Ok); // full-width digit
    }
}
