using CanMesh.Client.Tests.Infrastructure;
using Grpc.Core;

namespace CanMesh.Client.Tests;

/// <summary>
/// The capture process goes away and comes back (kill -9, then a new process on the same database and
/// socket): the typed client rides through it and delivers every seq exactly once.
/// </summary>
public sealed class ReconnectTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_missing_socket_is_UNAVAILABLE_with_the_socket_path_in_the_message()
    {
        using var folder = new TempFolder();
        await using var client = new CaptureClient(folder.Socket);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.GetStatsAsync());

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains(folder.Socket, e.Status.Detail);
        Assert.Contains("is the capture service running?", e.Status.Detail);
    }

    [Fact]
    public async Task The_typed_client_delivers_every_seq_exactly_once_across_a_killed_and_restarted_capture()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder).Sim("sim0", 10_000, fdShare: 0.2).Variables;
        var first = await CaptureServing.StartAndWaitAsync(environment, folder.Socket);
        CaptureProcess? second = null;
        try
        {
            await using var client = new CaptureClient(folder.Socket);
            await using var subscription = client.Subscribe(new SubscriptionOptions
            {
                Subscriber = "rider",
                MaxBatchFrames = 500,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            });
            var seqs = new List<ulong>();
            ulong previousThrough = 0;
            using var stop = new CancellationTokenSource();
            ulong readUntil = ulong.MaxValue;
            var reader = Task.Run(async () =>
            {
                await foreach (var batch in subscription.ReadAllAsync(stop.Token))
                {
                    seqs.AddRange(batch.Frames.Select(f => f.Seq));
                    // Acknowledge one batch behind, so the stored watermark trails what was delivered
                    // and the resumed stream repeats frames the client must drop.
                    if (previousThrough > 0) subscription.Ack(previousThrough);
                    previousThrough = batch.ThroughSeq;
                    if (batch.ThroughSeq >= Volatile.Read(ref readUntil)) return;
                }
            });

            await WaitAsync(() => subscription.DeliveredSeq > 15_000, "frames before the kill");
            var ackedBeforeKill = subscription.AckedSeq;
            first.KillHard();
            Assert.True(File.Exists(folder.Socket), "kill -9 leaves the socket file behind");
            var committedBeforeKill = (ulong)folder.Scalar("SELECT max(seq) FROM frames");

            // The client retries against the stale socket (connection refused) meanwhile.
            await Task.Delay(700);
            second = await CaptureServing.StartAndWaitAsync(environment, folder.Socket);
            Volatile.Write(ref readUntil, committedBeforeKill + 20_000);
            await reader.WaitAsync(Timeout);

            Assert.True(subscription.Reconnects >= 1, "the subscription reconnected");
            Assert.True(subscription.DroppedDuplicates > 0, $"the resumed stream started at the stored watermark (acked {ackedBeforeKill}), below what was delivered: expected repeats to drop");
            Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (ulong)i), seqs); // from seq 1, each once, no gap
            Assert.True(seqs[^1] > committedBeforeKill + 10_000, "frames committed by the second process were delivered");
            Assert.Equal(seqs.Count, folder.Scalar($"SELECT count(*) FROM frames WHERE seq <= {seqs[^1]}"));
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    [Fact]
    public async Task A_subscription_waits_for_a_capture_that_is_not_running_yet()
    {
        using var folder = new TempFolder();
        await using var client = new CaptureClient(folder.Socket);
        await using var subscription = client.Subscribe(new SubscriptionOptions
        {
            Subscriber = "early",
            From = SubscriptionStart.AfterSeq(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
        });
        var read = subscription.ReadAsync().AsTask();
        await Task.Delay(1_000);
        Assert.False(read.IsCompleted);
        // The unary calls do not retry: they say the service is unavailable.
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => client.GetStatsAsync())).StatusCode);

        using var capture = await CaptureServing.StartAndWaitAsync(new CaptureEnvironment(folder).Sim("sim0", 5_000).Variables, folder.Socket);
        var batch = await read.WaitAsync(Timeout);

        // The first stream that reached the service used From, however many attempts failed before it.
        Assert.True(subscription.Reconnects > 0);
        var first = batch.Frames.Count > 0 ? batch.Frames[0].Seq : batch.ThroughSeq + 1;
        Assert.True(first == 101, $"expected the first stream to start after seq 100, got {first}");
    }

    [Fact]
    public async Task A_stale_socket_file_left_by_kill_9_is_replaced_by_the_next_capture()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder).Sim("sim0", 1_000).Variables;
        using (var first = await CaptureServing.StartAndWaitAsync(environment, folder.Socket))
        {
            first.KillHard();
        }
        Assert.True(File.Exists(folder.Socket), "kill -9 leaves the socket file behind");
        await using var client = new CaptureClient(folder.Socket);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => client.GetStatsAsync())).StatusCode);

        using var second = CaptureProcess.Start(environment);
        await second.WaitUntilServingAsync(folder.Socket, Timeout);

        var stats = await client.GetStatsAsync();
        Assert.True(stats.UptimeSeconds < 30, $"uptime {stats.UptimeSeconds} s: not the new process");
        Assert.Equal("sim0", Assert.Single(await client.ListInterfacesAsync()).Name);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
