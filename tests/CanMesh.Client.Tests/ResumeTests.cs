using Grpc.Core;
using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;

namespace CanMesh.Client.Tests;

/// <summary>Resuming on the wire: a reconnecting subscriber continues right after its acknowledged seq.</summary>
[Collection(LiveCaptureCollection.Name)]
public sealed class ResumeTests(LiveCapture capture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_resumed_stream_starts_right_after_the_acknowledged_seq_with_no_gap_and_no_duplicate()
    {
        var name = "resume-" + Guid.NewGuid().ToString("N")[..8];
        await capture.WaitForCommittedAsync(10_000);

        // First stream: a new subscriber resuming starts at the first stored frame; ack a seq in the middle of a batch.
        ulong acked;
        using (var call = capture.Api.Subscribe())
        {
            await call.RequestStream.WriteAsync(new SubscribeRequest { Start = new SubscribeStart { Subscriber = name, Resume = true, MaxBatchFrames = 1000 } });
            var frames = await ReadFramesAsync(call.ResponseStream, 3_000);
            Assert.Equal(1UL, frames[0].Seq);
            acked = frames[1_500].Seq;
            await call.RequestStream.WriteAsync(new SubscribeRequest { Ack = new Ack { Seq = acked } });
            // Leave at once: half-close, and the server ends the stream after saving the watermark.
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.ReadNextAsync().WaitAsync(Timeout) is not null)
            {
            }
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        }
        await WaitForDisconnectAsync(name);
        Assert.Equal((long)acked, capture.Folder.Scalar($"SELECT acked_seq FROM subscribers WHERE name = '{name}'"));

        // Second stream: resume starts at acked + 1 and runs on without a gap.
        using (var call = capture.Api.Subscribe())
        {
            await call.RequestStream.WriteAsync(new SubscribeRequest { Start = new SubscribeStart { Subscriber = name, Resume = true } });
            var frames = await ReadFramesAsync(call.ResponseStream, 5_000);
            Assert.Equal(acked + 1, frames[0].Seq);
            Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => acked + 1 + (ulong)i), frames.Select(f => f.Seq));
        }
    }

    private async Task WaitForDisconnectAsync(string name)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var stats = await capture.Client.GetStatsAsync();
            if (stats.Store.Subscribers.Single(s => s.Name == name) is { Connected: false }) return;
            Assert.True(DateTime.UtcNow < deadline, $"subscriber {name} still connected {Timeout.TotalSeconds:0} s after its client left");
            await Task.Delay(50);
        }
    }

    private static async Task<List<Frame>> ReadFramesAsync(IAsyncStreamReader<FrameBatch> responses, int count)
    {
        var frames = new List<Frame>();
        while (frames.Count < count)
        {
            var batch = await responses.ReadNextAsync().WaitAsync(Timeout);
            Assert.NotNull(batch);
            frames.AddRange(batch.Frames);
        }
        return frames;
    }
}
