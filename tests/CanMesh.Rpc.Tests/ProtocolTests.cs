using System.Buffers;
using CanMesh.Rpc.Tests.Echo;

namespace CanMesh.Rpc.Tests;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("2S", 2 * TimeSpan.TicksPerSecond)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("3M", 3 * TimeSpan.TicksPerMinute)]
    [InlineData("5u", 50)]
    [InlineData("500n", 5)]
    public void Timeout_header_parses(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out TimeSpan timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    public void Invalid_timeout_header_is_rejected(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void Timeout_is_formatted_within_eight_digits_and_rounded_up()
    {
        Assert.Equal("1m", GrpcTimeout.Format(TimeSpan.FromTicks(1)));
        Assert.Equal("1500m", GrpcTimeout.Format(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("100000S", GrpcTimeout.Format(TimeSpan.FromSeconds(100_000)));
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(TimeSpan.FromDays(3650)), out _));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("50%", "50%25")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("a\tb", "a%09b")]
    public void Status_message_is_percent_encoded(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcStatusMessage.Encode(message));
        Assert.Equal(message, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void Malformed_percent_escape_is_kept_as_text() => Assert.Equal("100%zz%4", GrpcStatusMessage.Decode("100%zz%4"));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_content_types_are_recognised(string? contentType, bool expected) => Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));

    [Fact]
    public void Frames_split_across_segments_are_read_whole()
    {
        var writer = new ArrayBufferWriter<byte>();
        LengthPrefixedMessage.Write(writer, new EchoReply { Text = "one", Index = 1 });
        LengthPrefixedMessage.Write(writer, new EchoReply { Text = "two", Index = 2 });
        byte[] bytes = writer.WrittenSpan.ToArray();

        ReadOnlySequence<byte> partial = new(bytes, 0, 7);
        Assert.False(LengthPrefixedMessage.TryReadFrame(ref partial, 1024, out _));

        ReadOnlySequence<byte> all = new(bytes);
        Assert.True(LengthPrefixedMessage.TryReadFrame(ref all, 1024, out ReadOnlySequence<byte> first));
        Assert.Equal("one", EchoReply.Parser.ParseFrom(first).Text);
        Assert.True(LengthPrefixedMessage.TryReadFrame(ref all, 1024, out ReadOnlySequence<byte> second));
        Assert.Equal(2, EchoReply.Parser.ParseFrom(second).Index);
        Assert.True(all.IsEmpty);
    }

    [Fact]
    public void Oversized_and_compressed_frames_are_refused()
    {
        ReadOnlySequence<byte> big = new([0, 0, 0, 4, 1]);
        Assert.Equal(StatusCode.ResourceExhausted, Assert.Throws<RpcException>(() => LengthPrefixedMessage.TryReadFrame(ref big, 1024, out _)).StatusCode);

        ReadOnlySequence<byte> compressed = new([1, 0, 0, 0, 0]);
        Assert.Equal(StatusCode.Unimplemented, Assert.Throws<RpcException>(() => LengthPrefixedMessage.TryReadFrame(ref compressed, 1024, out _)).StatusCode);
    }
}
