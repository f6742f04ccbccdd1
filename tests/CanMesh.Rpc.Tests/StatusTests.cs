using System.Net;
using System.Net.Http.Headers;
using CanMesh.Rpc.Client;
using CanMesh.Rpc.Tests.Echo;
using CanMesh.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace CanMesh.Rpc.Tests;

public sealed class StatusTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var missing = new RpcMethod<EchoRequest, EchoReply>(MethodType.Unary, "canmesh.test.v1.EchoService", "Missing");

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(missing, new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Contains("/canmesh.test.v1.EchoService/Missing", e.Status.Detail);
    }

    [Fact]
    public async Task Malformed_request_bytes_are_invalid_argument_in_trailers_only_form()
    {
        // A valid frame whose payload is not a protobuf message (field 1, wire type 7 does not exist).
        byte[] frame = [0, 0, 0, 0, 3, 0x0F, 0xFF, 0xFF];
        using HttpResponseMessage response = await SendRawAsync(EchoService.EchoMethod.Path, frame);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("3", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Truncated_request_frame_is_invalid_argument()
    {
        byte[] frame = [0, 0, 0, 0, 10, 0x0A, 0x01];
        using HttpResponseMessage response = await SendRawAsync(EchoService.EchoMethod.Path, frame);

        Assert.Equal("3", Assert.Single(response.Headers.GetValues("grpc-status")));
    }

    [Fact]
    public async Task Oversized_request_is_resource_exhausted()
    {
        // The test server accepts 64 KiB.
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            server.Channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Text = new string('x', 100_000) }));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task Non_grpc_content_type_is_rejected_with_415()
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, EchoService.EchoMethod.Path) { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using HttpResponseMessage response = await server.Channel.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("100% sure: ünïcödé ✓ 日本語\nnew line")]
    [InlineData("")]
    public async Task Handler_status_round_trips_with_its_message(string message)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(
            EchoService.EchoMethod,
            new EchoRequest { FailCode = (int)StatusCode.InvalidArgument, FailMessage = message }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task Non_ascii_message_is_percent_encoded_on_the_wire()
    {
        var frame = LengthPrefixedMessage.ToArray(new EchoRequest { FailCode = 9, FailMessage = "é%" });
        using HttpResponseMessage response = await SendRawAsync(EchoService.EchoMethod.Path, frame);

        Assert.Equal("9", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Equal("%C3%A9%25", Assert.Single(response.Headers.GetValues("grpc-message")));
    }

    [Fact]
    public async Task Error_after_messages_arrives_in_trailers_after_the_messages()
    {
        await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(
            EchoService.CountMethod,
            new CountRequest { Count = 3, FailCode = (int)StatusCode.Aborted, FailMessage = "stopped after 3" });

        var received = new List<int>();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (EchoReply reply in call.ResponseStream.ReadAllAsync())
            {
                received.Add(reply.Index);
            }
        });

        Assert.Equal([0, 1, 2], received);
        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("stopped after 3", e.Status.Detail);
    }

    [Fact]
    public async Task Unexpected_exception_is_internal_logged_and_not_leaked()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            server.Channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Crash = true }));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.DoesNotContain("secret", e.Status.Detail);
        Assert.DoesNotContain(" at ", e.Status.Detail);
        Assert.Contains(server.Logs.Entries, entry => entry.Level == LogLevel.Error && entry.Exception?.Message.Contains("secret") == true);
    }

    [Fact]
    public async Task Duplex_handler_error_reaches_the_reader()
    {
        await using DuplexStreamingCall<EchoRequest, EchoReply> call = server.Channel.DuplexStreaming(EchoService.ChatMethod);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "ok" });
        await call.RequestStream.WriteAsync(new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "no" });

        Assert.Equal("echo:ok", (await call.ResponseStream.ReadAsync())?.Text);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAsync());

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("no", e.Status.Detail);
    }

    private async Task<HttpResponseMessage> SendRawAsync(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TE.ParseAdd("trailers");
        return await server.Channel.Http.SendAsync(request);
    }
}
