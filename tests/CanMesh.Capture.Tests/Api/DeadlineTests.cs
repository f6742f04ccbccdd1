using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using CanMesh.Capture.Api;

namespace CanMesh.Capture.Tests.Api;

/// <summary>
/// grpc-timeout values a careless or hostile client sends get a proper gRPC answer (HTTP 200 and a
/// grpc-status trailer), never an HTTP error without a status. Sent raw over HTTP/2, because gRPC
/// client libraries refuse to send malformed values.
/// </summary>
public sealed class DeadlineTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private CaptureProcess? _capture;

    public async Task InitializeAsync() =>
        _capture = await CaptureServing.StartAndWaitAsync(new CaptureEnvironment(_folder).Sim("sim0", 500).Variables, _folder.Socket);

    public Task DisposeAsync()
    {
        _capture?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("2000H")]     // 83 days: above what a server keeps a timer for, clamped
    [InlineData("99999999H")] // the longest the spec allows (8 digits)
    [InlineData("-5S")]       // negative
    [InlineData("5X")]        // unknown unit
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("123456789S")] // 9 digits
    public async Task A_huge_negative_or_malformed_timeout_is_answered_with_a_grpc_status(string timeout)
    {
        var (http, status, _) = await CallAsync("GetStats", timeout);

        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal("0", status); // answered as if no deadline were set (grpc-dotnet logs and ignores a bad value)
        Assert.False(_capture!.HasExited);
    }

    [Fact]
    public async Task A_deadline_on_a_stream_ends_it_with_DEADLINE_EXCEEDED()
    {
        // Stats every 10 s, a deadline of 500 ms: the first message goes out at once, the deadline passes
        // while the handler waits for the next tick.
        var (http, status, messages) = await CallAsync("WatchStats", "500m", intervalMs: 10_000);

        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal("4", status);
        Assert.Equal(1, messages);
    }

    [Fact]
    public async Task A_2000_hour_deadline_on_a_stream_does_not_end_it_early()
    {
        // WatchStats every 100 ms: the first messages arrive, and the stream is still open when the client leaves.
        var (http, status, messages) = await CallAsync("WatchStats", "2000H", intervalMs: 100, readMessages: 3);

        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Null(status);
        Assert.Equal(3, messages);
    }

    /// <summary>One call with prior-knowledge HTTP/2 over the socket; the status trailer, or null when the client left first.</summary>
    private async Task<(HttpStatusCode Http, string? Status, int Messages)> CallAsync(string method, string timeout, uint intervalMs = 0, int readMessages = int.MaxValue)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_folder.Socket), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        // A WatchStatsRequest { interval_ms } or an empty GetStatsRequest, with the 5-byte gRPC prefix.
        byte[] message = intervalMs == 0 ? [] : [0x08, .. Varint(intervalMs)];
        var body = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)message.Length);
        message.CopyTo(body, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://localhost/{CaptureApi.ServiceName}/{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
        var messages = 0;
        var prefix = new byte[5];
        while (messages < readMessages)
        {
            if (await stream.ReadAtLeastAsync(prefix, 5, throwOnEndOfStream: false, deadline.Token) < 5) break;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
            await stream.ReadExactlyAsync(new byte[length], deadline.Token);
            messages++;
        }
        if (messages >= readMessages) return (response.StatusCode, null, messages);
        // A Trailers-Only answer carries the status in the headers.
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) || response.Headers.TryGetValues("grpc-status", out values)
            ? values.Single() : "(no grpc-status)";
        return (response.StatusCode, status, messages);
    }

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
