using System.Diagnostics;
using CanMesh.Rpc.Client;
using CanMesh.Rpc.Tests.Echo;
using CanMesh.Rpc.Tests.Infrastructure;

namespace CanMesh.Rpc.Tests;

public sealed class CancellationTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    /// <summary>Generous: these bound a hang, they do not measure speed.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Deadline_exceeded_ends_the_call_and_fires_the_handler_token()
    {
        string tag = Guid.NewGuid().ToString("N");

        // Long enough for the request to reach the handler on a loaded CI machine before the deadline.
        Task<EchoReply> call = server.Channel.UnaryAsync(
            EchoService.EchoMethod,
            new EchoRequest { Text = "slow", DelayMs = 60_000, Tag = tag },
            new CallOptions(Timeout: TimeSpan.FromMilliseconds(1500)));
        await server.Echo.WhenWaiting(tag).WaitAsync(Patience);
        var e = await Assert.ThrowsAsync<RpcException>(() => call);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        await server.Echo.WhenCancelled(tag).WaitAsync(Patience);
    }

    [Fact]
    public async Task Deadline_applies_to_a_stream_that_already_sent_messages()
    {
        await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(
            EchoService.CountMethod,
            new CountRequest { Count = 2, WaitForCancel = true, Tag = Guid.NewGuid().ToString("N") },
            new CallOptions(Timeout: TimeSpan.FromSeconds(1)));

        int received = 0;
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.ReadAsync() is not null)
            {
                received++;
            }
        });

        // Whether the two messages are read before the deadline depends on scheduling; the status does not.
        Assert.InRange(received, 0, 2);
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_server_handler_quickly()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(
            EchoService.CountMethod,
            new CountRequest { Count = 1, WaitForCancel = true, Tag = tag },
            new CallOptions(CancellationToken: cts.Token));
        Assert.NotNull(await call.ResponseStream.ReadAsync());
        await server.Echo.WhenWaiting(tag).WaitAsync(Patience);

        Task<EchoReply?> pendingRead = call.ResponseStream.ReadAsync().AsTask();
        var stopwatch = Stopwatch.StartNew();
        cts.Cancel();

        var e = await Assert.ThrowsAsync<RpcException>(() => pendingRead);
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await server.Echo.WhenCancelled(tag).WaitAsync(Patience);

        // Not a throughput figure: only that RST_STREAM went out at once rather than on some timeout.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"The server saw the cancellation after {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task Disposing_an_unfinished_duplex_call_cancels_it_on_the_server()
    {
        string tag = Guid.NewGuid().ToString("N");
        DuplexStreamingCall<EchoRequest, EchoReply> call = server.Channel.DuplexStreaming(EchoService.ChatMethod);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "hi", Tag = tag });
        Assert.Equal("echo:hi", (await call.ResponseStream.ReadAsync())?.Text);

        await call.DisposeAsync();

        await server.Echo.WhenCancelled(tag).WaitAsync(Patience);
    }

    [Fact]
    public async Task Cancelling_a_duplex_call_fails_pending_reads_and_later_writes_with_cancelled()
    {
        await using DuplexStreamingCall<EchoRequest, EchoReply> call = server.Channel.DuplexStreaming(EchoService.ChatMethod);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "hi" });
        Assert.NotNull(await call.ResponseStream.ReadAsync());
        Task<EchoReply?> pendingRead = call.ResponseStream.ReadAsync().AsTask();

        call.Cancel();

        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => pendingRead)).StatusCode);
        var writeError = await Assert.ThrowsAsync<RpcException>(async () => await call.RequestStream.WriteAsync(new EchoRequest { Text = "late" }));
        Assert.Equal(StatusCode.Cancelled, writeError.StatusCode);
    }

    [Fact]
    public async Task A_cancelled_token_before_the_call_fails_fast_with_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(
            EchoService.EchoMethod, new EchoRequest { Text = "x" }, new CallOptions(CancellationToken: cts.Token)));

        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
    }
}

/// <summary>Server-side endings, each on its own server since they stop it.</summary>
public sealed class ServerShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_ends_open_streams_promptly_with_unavailable()
    {
        var server = new RpcTestServer();
        await server.InitializeAsync();
        try
        {
            string tag = Guid.NewGuid().ToString("N");
            await using ServerStreamingCall<EchoReply> call = server.Channel.ServerStreaming(
                EchoService.CountMethod, new CountRequest { Count = 1, WaitForCancel = true, Tag = tag });
            Assert.NotNull(await call.ResponseStream.ReadAsync());
            await server.Echo.WhenWaiting(tag).WaitAsync(TimeSpan.FromSeconds(10));

            // Without the link to ApplicationStopping this would wait for Kestrel's 30 s shutdown timeout.
            Task stop = server.Server.StopAsync();
            var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAsync());
            await stop.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            await server.Echo.WhenCancelled(tag).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task No_server_listening_is_unavailable()
    {
        using var directory = new TempDirectory();
        using GrpcChannel channel = GrpcChannel.ForUnixSocket(directory.File("nobody.sock"));

        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }
}
