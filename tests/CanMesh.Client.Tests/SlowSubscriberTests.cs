using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;
using Xunit.Abstractions;

namespace CanMesh.Client.Tests;

/// <summary>
/// A subscriber that stops reading costs the capture process a bounded amount of memory, however
/// many frames arrive meanwhile: the session reads the next batch from SQLite only when HTTP/2 flow
/// control took the previous one (nothing is queued per subscriber in memory).
/// </summary>
public sealed class SlowSubscriberTests(ITestOutputHelper output)
{
    private const int FramesPerSecond = 40_000;             // two simulated buses at 20k frames/s each
    private const long StalledFrames = 300_000;              // frames committed while the subscriber reads nothing
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private const long GrowthBound = 40L << 20;              // buffering the stalled frames would take far more

    [Fact]
    public async Task A_subscriber_that_reads_nothing_does_not_grow_the_capture_process()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder)
            .Sim("sim0", FramesPerSecond / 2, seed: 3, fdShare: 0.5)
            .Sim("sim1", FramesPerSecond / 2, seed: 4)
            .Variables;
        using var capture = await CaptureServing.StartAndWaitAsync(environment, folder.Socket);
        await using var client = new CaptureClient(folder.Socket);

        // The stalled subscriber reads one batch (the stream is open and flowing), then nothing.
        using var channel = CaptureChannel.ForUnixSocket(folder.Socket);
        using var call = new Protos.V1.Capture.CaptureClient(channel).Subscribe();
        await call.RequestStream.WriteAsync(new SubscribeRequest { Start = new SubscribeStart { Subscriber = "stalled", Resume = true } });
        var first = await call.ResponseStream.ReadNextAsync();
        Assert.NotNull(first);

        // Warm-up: the JIT, SQLite's page cache and the GC settle in the first seconds.
        await Task.Delay(3_000);
        var baseline = capture.ResidentBytes();
        var committedAtBaseline = (await client.GetStatsAsync()).Store.CommittedSeq;
        var peak = baseline;
        var samples = new List<long>();
        // As long as it takes a loaded machine to commit StalledFrames more (7.5 s at the nominal rate).
        var deadline = DateTime.UtcNow + Deadline;
        while ((await client.GetStatsAsync()).Store.CommittedSeq - committedAtBaseline < StalledFrames)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {StalledFrames} frames committed in {Deadline}: the capture is not running");
            await Task.Delay(500);
            var rss = capture.ResidentBytes();
            samples.Add(rss);
            peak = Math.Max(peak, rss);
        }
        var stats = await client.GetStatsAsync();
        var arrived = stats.Store.CommittedSeq - committedAtBaseline;
        var stalled = stats.Store.Subscribers.Single(s => s.Name == "stalled");

        output.WriteLine($"VmRSS baseline {baseline >> 20} MB, peak {peak >> 20} MB, growth {(peak - baseline) / (1 << 20)} MB, last {samples[^1] >> 20} MB; " +
            $"{arrived} frames committed while stalled; subscriber pending {stalled.Pending}");
        output.WriteLine("samples (MB): " + string.Join(" ", samples.Select(s => s >> 20)));

        Assert.True(stalled.Connected);
        Assert.True(stalled.Pending > StalledFrames, $"the stalled subscriber is {stalled.Pending} frames behind");
        Assert.True(peak - baseline < GrowthBound,
            $"the capture process grew by {(peak - baseline) >> 20} MB (from {baseline >> 20} MB to {peak >> 20} MB) while a subscriber stalled");

        // The stalled stream is intact: reading again continues where it stopped.
        var next = await call.ResponseStream.ReadNextAsync();
        Assert.NotNull(next);
        Assert.Equal(first!.ThroughSeq + 1, next!.Frames[0].Seq);
    }
}
