using System.Text.Json;
using CanMesh.Interop.Tests.Infrastructure;

namespace CanMesh.Interop.Tests;

/// <summary>
/// examples/js-subscriber/subscriber.js, the example users start from, against the real capture: its
/// candump output must be the replayed log itself, its acks must land in the capture's subscribers table
/// and stats, and resume must continue right after the last ack.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class JsSubscriberTests(CaptureFixture capture)
{
    [Fact]
    public async Task Prints_the_first_frames_as_the_logs_lines_and_acknowledges_them()
    {
        string name = NewName();

        // 3000 = two whole batches of 1024 and part of a third: the last batch is cut and acked mid-way.
        ProcessResult run = (await SubscribeAsync(name, "--count", "3000")).EnsureSuccess();

        Assert.Equal(capture.LogLines[..3000], run.Lines);
        Assert.Contains("3000 frames handled, acknowledged through seq 3000", run.StandardError);
        await AssertAckedAsync(name, 3000);
    }

    [Fact]
    public async Task The_whole_replay_comes_through_unchanged()
    {
        ProcessResult run = (await SubscribeAsync(NewName(), "--count", CaptureFixture.LogFrames.ToString())).EnsureSuccess();

        Assert.Equal(capture.LogLines, run.Lines);
    }

    [Fact]
    public async Task Resume_continues_right_after_the_last_ack()
    {
        string name = NewName();

        ProcessResult first = (await SubscribeAsync(name, "--count", "100")).EnsureSuccess();
        await AssertAckedAsync(name, 100);
        ProcessResult second = (await SubscribeAsync(name, "--count", "250")).EnsureSuccess();

        Assert.Equal(capture.LogLines[..100], first.Lines);
        Assert.Equal(capture.LogLines[100..350], second.Lines);
        await AssertAckedAsync(name, 350);
    }

    [Fact]
    public async Task Filters_send_only_matching_frames()
    {
        string name = NewName();
        int[] matching = [.. capture.LogLines.Select((line, i) => (line, seq: i + 1)).Where(x => x.line.Contains(" vcan0 21A#", StringComparison.Ordinal)).Select(x => x.seq)];
        Assert.True(matching.Length > 20);

        ProcessResult run = (await SubscribeAsync(name, "--interface", "vcan0", "--ids", "21A", "--count", "20")).EnsureSuccess();

        Assert.Equal(matching.Take(20).Select(seq => capture.LogLines[seq - 1]), run.Lines);
        // Stopped mid-batch: the watermark is the last frame handled, not the batch's through_seq.
        await AssertAckedAsync(name, matching[19]);
    }

    [Fact]
    public async Task An_invalid_subscriber_name_fails_with_INVALID_ARGUMENT()
    {
        ProcessResult run = await SubscribeAsync("no spaces allowed", "--count", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Lines);
        Assert.Contains("(INVALID_ARGUMENT, code 3)", run.StandardError);
    }

    private Task<ProcessResult> SubscribeAsync(string name, params string[] arguments) =>
        InteropTools.RunSubscriberAsync(capture.SocketPath, ["--name", name, .. arguments]);

    private static string NewName() => "js-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// The watermark in the capture's subscribers table (read with Microsoft.Data.Sqlite) and in GetStats
    /// (through grpc-js), once the server has ended the call.
    /// </summary>
    private async Task AssertAckedAsync(string name, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement subscriber;
        while (true)
        {
            JsonElement stats = await GrpcJsCaptureTests.RunScenarioAsync(capture.SocketPath, "get-stats");
            subscriber = stats.GetProperty("reply").GetProperty("store").GetProperty("subscribers").EnumerateArray()
                .SingleOrDefault(s => s.GetProperty("name").GetString() == name);
            bool done = subscriber.ValueKind == JsonValueKind.Object && !subscriber.GetProperty("connected").GetBoolean()
                && subscriber.GetProperty("ackedSeq").GetString() == seq.ToString();
            if (done || DateTime.UtcNow > deadline) break;
            await Task.Delay(100);
        }
        Assert.True(subscriber.ValueKind == JsonValueKind.Object, $"GetStats lists no subscriber {name}.");
        Assert.Equal(seq.ToString(), subscriber.GetProperty("ackedSeq").GetString());
        Assert.False(subscriber.GetProperty("connected").GetBoolean());
        Assert.False(subscriber.GetProperty("retains").GetBoolean());
        Assert.Equal((CaptureFixture.LogFrames - seq).ToString(), subscriber.GetProperty("pending").GetString());

        Assert.Equal(new object?[] { seq, 0L }, capture.Query($"SELECT acked_seq, retains FROM subscribers WHERE name = '{name}'").Single());
    }
}
