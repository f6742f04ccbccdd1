using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;

namespace CanMesh.Client.Tests;

/// <summary>Subscriptions on a capture that keeps committing: live start, identical streams, durable watermarks.</summary>
[Collection(LiveCaptureCollection.Name)]
public sealed class LiveSubscriptionTests(LiveCapture capture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_live_subscriber_sees_only_frames_committed_after_it_joined()
    {
        var before = (await capture.Client.GetStatsAsync()).Store.CommittedSeq;
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = "live-" + Guid.NewGuid().ToString("N")[..8], From = SubscriptionStart.Live });

        var frames = await ReadFramesAsync(subscription, 3_000);

        Assert.True(frames[0].Seq > before, $"first seq {frames[0].Seq} was committed before the subscriber joined (committed {before})");
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => frames[0].Seq + (ulong)i), frames.Select(f => f.Seq));
    }

    [Fact]
    public async Task Decoded_batches_hold_every_field_of_every_stored_frame_in_seq_order()
    {
        await capture.WaitForCommittedAsync(12_000);
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = "decoded-" + Guid.NewGuid().ToString("N")[..8], From = SubscriptionStart.AfterSeq(0), MaxBatchFrames = 900 });

        var rows = new List<FrameRow>();
        while (rows.Count < 10_000)
        {
            var batch = await subscription.ReadDecodedAsync().AsTask().WaitAsync(Timeout);
            for (var i = 0; i < batch.Count; i++)
            {
                var frame = batch.Frames[i];
                rows.Add(new FrameRow(batch.Seqs[i], frame.TimestampNs, subscription.Interfaces[frame.InterfaceId], frame.Id, (uint)frame.Flags,
                    Convert.ToHexString(frame.ReadOnlyData), frame.IsRemote ? frame.Length : 0u, frame.Len8Dlc));
            }
            subscription.Ack(batch);
        }

        // The replayed log (remote frames, 29-bit ids), sim0 (CAN FD) and sim1 are all in the first 10,000 frames.
        Assert.Equal(FrameRow.FromDatabase(capture.Folder, $"f.seq <= {rows[^1].Seq}"), rows);
        Assert.Equal(0, subscription.Reconnects);
    }

    [Fact]
    public async Task Two_subscribers_from_the_same_point_see_identical_streams()
    {
        var start = (await capture.Client.GetStatsAsync()).Store.CommittedSeq - 2_000;
        await using var first = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = "twin-a", From = SubscriptionStart.AfterSeq(start), MaxBatchFrames = 700 });
        await using var second = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = "twin-b", From = SubscriptionStart.AfterSeq(start) });

        var both = await Task.WhenAll(ReadFramesAsync(first, 8_000), ReadFramesAsync(second, 8_000));

        var framesA = both[0].Take(8_000).ToList();
        var framesB = both[1].Take(8_000).ToList();
        Assert.Equal(start + 1, framesA[0].Seq);
        Assert.Equal(framesA.Select(f => f.Seq), framesB.Select(f => f.Seq));
        Assert.Equal(framesA, framesB); // protobuf value equality: every field of every frame
        Assert.Equal(first.Interfaces.OrderBy(p => p.Key), second.Interfaces.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Acknowledged_watermarks_are_stored_and_pending_is_committed_minus_acked()
    {
        var name = "watermark-" + Guid.NewGuid().ToString("N")[..8];
        // A filter, so through_seq runs ahead of the last frame's seq: acking the batch must store through_seq.
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions
        {
            Subscriber = name,
            From = SubscriptionStart.AfterSeq(1_000),
            Filter = new FrameFilter { Interfaces = { "sim1" } },
            MaxBatchFrames = 256,
        });
        FrameBatch batch;
        do batch = await subscription.ReadAsync().AsTask().WaitAsync(Timeout);
        while (batch.Frames.Count == 0 || batch.ThroughSeq == batch.Frames[^1].Seq);

        subscription.Ack(batch);
        var acked = batch.ThroughSeq;
        Assert.True(acked > batch.Frames[^1].Seq);

        var stored = await PollAsync(() => capture.Folder.Query($"SELECT acked_seq FROM subscribers WHERE name = '{name}'").Select(r => (ulong)(long)r[0]!).SingleOrDefault(), acked, Timeout);
        Assert.Equal(acked, stored);

        var stats = await capture.Client.GetStatsAsync();
        var mine = stats.Store.Subscribers.Single(s => s.Name == name);
        Assert.Equal(acked, mine.AckedSeq);
        Assert.True(mine.Connected);
        Assert.Equal(stats.Store.CommittedSeq - acked, mine.Pending);

        // Reading on without acking leaves the watermark where it is.
        await subscription.ReadAsync().AsTask().WaitAsync(Timeout);
        await Task.Delay(1_200);
        Assert.Equal(acked, (ulong)capture.Folder.Scalar($"SELECT acked_seq FROM subscribers WHERE name = '{name}'"));
    }

    [Fact]
    public async Task An_ack_from_a_subscriber_that_stopped_reading_reaches_the_stats_and_the_table()
    {
        // A forwarder waiting for PostgreSQL reads nothing for a while but acks what it committed. The backlog fills
        // HTTP/2's window within moments, and the session's send loop then waits in a write: the ack must not wait
        // for it (the sending loop used to be the only place that saved watermarks).
        var name = "stalled-ack-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions
        {
            Subscriber = name,
            From = SubscriptionStart.AfterSeq(0),
            MaxBatchFrames = 256,
        });
        var batch = await subscription.ReadAsync().AsTask().WaitAsync(Timeout);
        // Not a timing assertion: time for the send loop to fill the window and block, the case this test is about.
        await Task.Delay(2_000);

        subscription.Ack(batch);
        var acked = batch.ThroughSeq;

        var mine = await PollAsync(async () => (await capture.Client.GetStatsAsync()).Store.Subscribers.Single(s => s.Name == name),
            s => s.AckedSeq == acked, Timeout);
        Assert.Equal(acked, mine.AckedSeq);
        Assert.True(mine.Connected);
        var stored = await PollAsync(() => capture.Folder.Query($"SELECT acked_seq FROM subscribers WHERE name = '{name}'").Select(r => (ulong)(long)r[0]!).SingleOrDefault(), acked, Timeout);
        Assert.Equal(acked, stored);
    }

    [Fact]
    public async Task A_clean_dispose_stores_the_last_ack()
    {
        var name = "dispose-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, From = SubscriptionStart.AfterSeq(2_000) });
        var batch = await subscription.ReadAsync().AsTask().WaitAsync(Timeout);
        subscription.Ack(batch.Frames[batch.Frames.Count / 2].Seq);
        var acked = subscription.AckedSeq;

        await subscription.DisposeAsync();

        var stats = await PollAsync(async () => (await capture.Client.GetStatsAsync()).Store.Subscribers.Single(s => s.Name == name),
            s => !s.Connected, Timeout);
        Assert.Equal(acked, stats.AckedSeq);
        Assert.Equal(acked, (ulong)capture.Folder.Scalar($"SELECT acked_seq FROM subscribers WHERE name = '{name}'"));
    }

    internal static async Task<List<Frame>> ReadFramesAsync(Subscription subscription, int count)
    {
        var frames = new List<Frame>();
        while (frames.Count < count)
        {
            var batch = await subscription.ReadAsync().AsTask().WaitAsync(Timeout);
            frames.AddRange(batch.Frames);
        }
        return frames;
    }

    private static async Task<T> PollAsync<T>(Func<T> read, T wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        while (!EqualityComparer<T>.Default.Equals(value = read(), wanted) && DateTime.UtcNow < deadline) await Task.Delay(50);
        return value;
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        while (!done(value = await read()) && DateTime.UtcNow < deadline) await Task.Delay(50);
        return value;
    }
}
