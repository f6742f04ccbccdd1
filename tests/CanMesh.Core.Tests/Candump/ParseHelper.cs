using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Core.Tests.Candump;

/// <summary>Parses a line through both the char and the UTF-8 entry point and checks they agree.</summary>
internal static class ParseHelper
{
    public sealed record Result(bool Ok, CanFrame Frame, string Interface, string? Error);

    public static Result Parse(string line)
    {
        var charFrame = default(CanFrame);
        bool charOk = CandumpLineParser.TryParse(line.AsSpan(), ref charFrame, out var charRange, out var charError);

        var utf8 = Encoding.UTF8.GetBytes(line);
        var byteFrame = default(CanFrame);
        bool byteOk = CandumpLineParser.TryParse(utf8, ref byteFrame, out var byteRange, out var byteError);

        Assert.Equal(charOk, byteOk);
        Assert.Equal(charError, byteError);
        if (!charOk) return new Result(false, charFrame, "", charError);

        Assert.True(charFrame.ContentEquals(byteFrame), $"char: {charFrame} utf8: {byteFrame}");
        string charIface = line[charRange];
        string byteIface = Encoding.UTF8.GetString(utf8.AsSpan()[byteRange]);
        Assert.Equal(charIface, byteIface);
        return new Result(true, charFrame, charIface, null);
    }

    public static CanFrame ParseOk(string line, out string iface)
    {
        var result = Parse(line);
        Assert.True(result.Ok, $"'{line}' was rejected: {result.Error}");
        iface = result.Interface;
        return result.Frame;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
