using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;
using Grpc.Core;

namespace CanMesh.Client.Tests;

/// <summary>RemoveSubscriber through the typed client, against the shared running capture.</summary>
[Collection(LiveCaptureCollection.Name)]
public sealed class RemoveSubscriberTests(LiveCapture capture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Removing_a_disconnected_retaining_subscriber_deletes_it_durably_records_an_event_and_says_what_it_released()
    {
        var name = "rm-" + Guid.NewGuid().ToString("N")[..8];
        ulong acked;
        await using (var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, Retain = true, MaxBatchFrames = 100 }))
        {
            var batch = await subscription.ReadAsync().AsTask().WaitAsync(Deadline);
            subscription.Ack(batch);
            acked = batch.ThroughSeq;
        }
        await WaitForStatsAsync(s => s.Store.Subscribers.Any(x => x.Name == name && !x.Connected && x.AckedSeq == acked), $"{name} disconnected at acked seq {acked}");

        var removed = await capture.Client.RemoveSubscriberAsync(name);

        Assert.Equal(acked, removed.AckedSeq);
        Assert.True(removed.Retained);
        Assert.True(removed.Pending > 0, "the sims go on committing: it had frames pending");
        Assert.DoesNotContain(name, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));
        // The answer comes once the removal is committed: the row is gone and the event is there.
        Assert.Equal(0, capture.Folder.Scalar($"SELECT count(*) FROM subscribers WHERE name = '{name}'"));
        var events = capture.Folder.Query($"SELECT count, first_seq, last_seq, message FROM events WHERE kind = 'SubscriberRemoved' AND message LIKE '%{name}%'");
        var row = Assert.Single(events);
        Assert.Equal(1L, row[0]);
        Assert.Equal((long)acked + 1, row[1]);
        Assert.Equal((long)removed.Pending, (long)row[2]! - (long)row[1]! + 1);
        Assert.Contains($"Subscriber {name} removed on request at acked seq {acked}; it retained", (string)row[3]!, StringComparison.Ordinal);
        Assert.Contains($"Retaining subscriber {name} removed on request", capture.Process.Stdout, StringComparison.Ordinal);

        var again = await Assert.ThrowsAsync<RpcException>(() => capture.Client.RemoveSubscriberAsync(name));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Removing_a_subscriber_with_a_stream_open_is_FAILED_PRECONDITION_and_changes_nothing()
    {
        var name = "rm-open-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, From = SubscriptionStart.Live });
        await subscription.ReadAsync().AsTask().WaitAsync(Deadline);

        var e = await Assert.ThrowsAsync<RpcException>(() => capture.Client.RemoveSubscriberAsync(name));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains($"Subscriber '{name}' has a stream open; stop that client first", e.Status.Detail, StringComparison.Ordinal);
        Assert.True((await capture.Client.GetStatsAsync()).Store.Subscribers.Single(s => s.Name == name).Connected);
        Assert.Equal(0, capture.Folder.Scalar($"SELECT count(*) FROM events WHERE kind = 'SubscriberRemoved' AND message LIKE '%{name}%'"));
        // The stream itself goes on.
        await subscription.ReadAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(0, subscription.Reconnects);
    }

    [Fact]
    public async Task Removing_an_unknown_subscriber_is_NOT_FOUND_and_an_invalid_name_INVALID_ARGUMENT()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => capture.Client.RemoveSubscriberAsync("nobody-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("GetStats lists them", unknown.Status.Detail, StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => capture.Client.RemoveSubscriberAsync("not a valid name!"));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("subscriber 'not a valid name!' is not a valid name", invalid.Status.Detail, StringComparison.Ordinal);
    }

    private async Task WaitForStatsAsync(Func<Stats, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition(await capture.Client.GetStatsAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Deadline.TotalSeconds} s until {what}");
            await Task.Delay(50);
        }
    }
}
