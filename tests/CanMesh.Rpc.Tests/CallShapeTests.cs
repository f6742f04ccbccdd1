using CanMesh.Rpc.Client;
using CanMesh.Rpc.Tests.Echo;
using CanMesh.Rpc.Tests.Infrastructure;

namespace CanMesh.Rpc.Tests;

public sealed class CallShapeTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    [Fact]
    public async Task Unary_round_trips_the_message()
    {
        EchoReply reply = await server.Channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Text = "hello" });

        Assert.Equal("hello", reply.Text);
        Assert.NotNull(reply.SentAt);
    }

    [Fact]
    public async Task Many_unary_calls_run_concurrently_on_one_channel()
    {
        // More than Kestrel's 100 streams per connection: the channel must open more connections.
        EchoReply[] replies = await Task.WhenAll(Enumerable.Range(0, 150).Select(i =>
            server.Channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Text = $"m{i}", DelayMs = 50 })));

        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"m{i}"), replies.Select(r => r.Text));
    }

    [Fact]
    public async Task Server_stream_delivers_every_message_in_order()
    {
        await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(EchoService.CountMethod, new CountRequest { Count = 5000, Tag = "many" });

        int expected = 0;
        await foreach (EchoReply reply in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(expected++, reply.Index);
        }

        Assert.Equal(5000, expected);
        Assert.Equal(StatusCode.OK, call.Status?.Code);
    }

    [Fact]
    public async Task Server_stream_of_zero_messages_ends_ok()
    {
        await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(EchoService.CountMethod, new CountRequest { Count = 0 });

        Assert.Null(await call.ResponseStream.ReadAsync());
        Assert.Equal(StatusCode.OK, call.Status?.Code);
    }

    [Fact]
    public async Task Duplex_answers_each_request_before_the_next_is_sent()
    {
        await using DuplexStreamingCall<EchoRequest, EchoReply> call = server.Channel.DuplexStreaming(EchoService.ChatMethod);

        // Strict ping-pong proves full duplex: each reply arrives while the request stream is still open.
        for (int i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"ping{i}" });
            EchoReply? reply = await call.ResponseStream.ReadAsync();
            Assert.NotNull(reply);
            Assert.Equal($"echo:ping{i}", reply.Text);
            Assert.Equal(i, reply.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.Null(await call.ResponseStream.ReadAsync());
        Assert.Equal(StatusCode.OK, call.Status?.Code);
    }

    [Fact]
    public async Task Duplex_server_may_end_the_call_while_the_client_still_writes()
    {
        await using DuplexStreamingCall<EchoRequest, EchoReply> call = server.Channel.DuplexStreaming(EchoService.ChatMethod);

        await call.RequestStream.WriteAsync(new EchoRequest { Text = "a" });
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "bye" });

        Assert.Equal("echo:a", (await call.ResponseStream.ReadAsync())?.Text);
        Assert.Null(await call.ResponseStream.ReadAsync());
        Assert.Equal(StatusCode.OK, call.Status?.Code);

        // The server has finished: a late write reports "call over", never hangs or crashes.
        await Assert.ThrowsAsync<RpcException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Text = "late" });
                await Task.Delay(10);
            }
        });
    }

    [Fact]
    public async Task Client_streaming_collects_every_request()
    {
        await using ClientStreamingCall<EchoRequest, EchoReply> call = server.Channel.ClientStreaming(EchoService.JoinMethod);
        foreach (string text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        }

        await call.RequestStream.CompleteAsync();
        EchoReply reply = await call.GetResponseAsync();

        Assert.Equal("a,b,c", reply.Text);
        Assert.Equal(3, reply.Index);
    }

    [Fact]
    public async Task Request_metadata_reaches_the_handler_context()
    {
        // grpc-timeout is parsed into the context's deadline.
        EchoReply reply = await server.Channel.UnaryAsync(
            EchoService.EchoMethod,
            new EchoRequest { Text = "x" },
            new CallOptions(Timeout: TimeSpan.FromSeconds(30), Headers: [new("x-test", "1")]));

        Assert.Equal("x", reply.Text);
    }
}
