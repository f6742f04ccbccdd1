using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;
using Grpc.Core;

namespace CanMesh.Client.Tests;

/// <summary>Malformed requests end their call with INVALID_ARGUMENT, and the service goes on answering.</summary>
[Collection(LiveCaptureCollection.Name)]
public sealed class MalformedRequestTests(LiveCapture capture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<string, SubscribeRequest> BadStarts() => new()
    {
        { "first message is an ack", new SubscribeRequest { Ack = new Ack { Seq = 1 } } },
        { "empty subscriber name", Start(new SubscribeStart { Subscriber = "", Resume = true }) },
        { "subscriber name with a space", Start(new SubscribeStart { Subscriber = "bad name", Resume = true }) },
        { "subscriber name with a slash", Start(new SubscribeStart { Subscriber = "../etc", Resume = true }) },
        { "subscriber name of 65 characters", Start(new SubscribeStart { Subscriber = new string('a', 65), Resume = true }) },
        { "max_batch_frames above 16384", Start(new SubscribeStart { Subscriber = "big-batches", Resume = true, MaxBatchFrames = 16_385 }) },
        { "max_batch_frames of uint.MaxValue", Start(new SubscribeStart { Subscriber = "huge-batches", Resume = true, MaxBatchFrames = uint.MaxValue }) },
        { "reversed id range", Start(new SubscribeStart { Subscriber = "reversed", Resume = true, Filter = new FrameFilter { IdRanges = { new IdRange { Min = 0x200, Max = 0x100 } } } }) },
        { "empty interface name in the filter", Start(new SubscribeStart { Subscriber = "empty-iface", Resume = true, Filter = new FrameFilter { Interfaces = { "" } } }) },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task A_bad_subscribe_start_is_invalid_argument(string why, SubscribeRequest first)
    {
        using var call = capture.Api.Subscribe();
        await call.RequestStream.WriteAsync(first);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout));

        Assert.True(e.StatusCode == StatusCode.InvalidArgument, $"{why}: {e.Status}");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_subscribe_without_any_message_is_invalid_argument()
    {
        using var call = capture.Api.Subscribe();
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task An_ack_beyond_what_the_stream_sent_is_invalid_argument()
    {
        using var call = capture.Api.Subscribe();
        await call.RequestStream.WriteAsync(Start(new SubscribeStart { Subscriber = "ack-ahead", AfterSeq = 10, MaxBatchFrames = 100 }));
        var batch = await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout);
        Assert.NotNull(batch);
        Assert.Equal(110UL, batch.ThroughSeq);

        await call.RequestStream.WriteAsync(new SubscribeRequest { Ack = new Ack { Seq = 5_000_000 } });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout) is not null)
            {
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("5000000", e.Status.Detail);
        // The refused ack did not move the stored watermark.
        Assert.True(capture.Folder.Scalar("SELECT acked_seq FROM subscribers WHERE name = 'ack-ahead'") < 5_000_000);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_second_start_on_the_same_stream_is_invalid_argument()
    {
        using var call = capture.Api.Subscribe();
        var start = Start(new SubscribeStart { Subscriber = "twice", AfterSeq = 10 });
        await call.RequestStream.WriteAsync(start);
        Assert.NotNull(await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout));

        await call.RequestStream.WriteAsync(start);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout) is not null)
            {
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await AssertStillServingAsync();
    }

    public static TheoryData<string, QueryRequest> BadQueries() => new()
    {
        { "no range", new QueryRequest() },
        { "no range, only a filter", new QueryRequest { Filter = new FrameFilter { Interfaces = { "sim0" } } } },
        { "reversed seq range", new QueryRequest { Seqs = new SeqRange { First = 200, Last = 100 } } },
        { "reversed time range", new QueryRequest { Time = new TimeRange { FromNs = 200, ToNs = 100 } } },
        { "reversed id range", new QueryRequest { Seqs = new SeqRange { First = 1, Last = 10 }, Filter = new FrameFilter { IdRanges = { new IdRange { Min = 2, Max = 1 } } } } },
        { "max_batch_frames above 16384", new QueryRequest { Seqs = new SeqRange { First = 1, Last = 10 }, MaxBatchFrames = 100_000 } },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_is_invalid_argument(string why, QueryRequest request)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in capture.Client.QueryAsync(request).WithCancellation(new CancellationTokenSource(Timeout).Token))
            {
            }
        });

        Assert.True(e.StatusCode == StatusCode.InvalidArgument, $"{why}: {e.Status}");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Watching_stats_every_10_ms_is_invalid_argument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in capture.Client.WatchStatsAsync(TimeSpan.FromMilliseconds(10)))
            {
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await AssertStillServingAsync();

        // The minimum itself is fine.
        await foreach (var stats in capture.Client.WatchStatsAsync(TimeSpan.FromMilliseconds(100)))
        {
            Assert.True(stats.Store.CommittedSeq > 0);
            break;
        }
    }

    [Fact]
    public async Task The_typed_client_throws_a_refused_subscription_at_once_instead_of_retrying()
    {
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = "no spaces allowed" });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await subscription.ReadAsync().AsTask().WaitAsync(Timeout));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(0, subscription.Reconnects);
    }

    private static SubscribeRequest Start(SubscribeStart start) => new() { Start = start };

    private async Task AssertStillServingAsync()
    {
        var stats = await capture.Client.GetStatsAsync();
        Assert.True(stats.Store.CommittedSeq > 0);
        Assert.False(capture.Process.HasExited);
    }
}
