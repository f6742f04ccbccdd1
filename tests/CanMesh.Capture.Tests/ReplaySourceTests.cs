using CanMesh.Capture.Configuration;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources.Replay;
using CanMesh.Capture.Tests.Infrastructure;
using CanMesh.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Capture.Tests;

public sealed class ReplaySourceTests
{
    [Fact]
    public async Task Malformed_lines_are_skipped_counted_and_recorded_with_file_and_line()
    {
        using var temp = new TempFolder();
        var log = temp.File("mixed.log");
        File.WriteAllLines(log,
        [
            "(1436509052.249713) can0 123#DEADBEEF",
            "(1436509052.249714) can0 12#DEADBEEF",
            "(1436509052.249715) can1 00000285#R",
            "garbage",
            "(1436509052.249716) can0 456##111223",
            "(1436509052.249717) can0 7FF#",
        ]);
        using var journal = FrameJournal.Open(new StoreSettings { Path = temp.Database });
        using (var pipeline = new CapturePipeline(journal, [new ReplaySource("replay0", new ReplaySettings { Path = log })],
                   new PipelineSettings(), NullLoggerFactory.Instance, TimeProvider.System))
        {
            pipeline.Start();
            await pipeline.SourcesFinished.WaitAsync(TimeSpan.FromSeconds(30));
            pipeline.Stop();
            Assert.Equal(3, pipeline.SourceContexts[0].Counters.Malformed);
            Assert.Equal(3, pipeline.SourceContexts[0].Counters.Frames);
        }

        var frames = temp.Query("SELECT i.name, f.can_id, f.flags, hex(f.data), f.ts_ns FROM frames f JOIN interfaces i ON i.id = f.iface ORDER BY seq");
        Assert.Equal(3, frames.Count);
        Assert.Equal(new object?[] { "can0", 0x123L, 0L, "DEADBEEF", 1436509052_249713_000L }, frames[0]);
        Assert.Equal(new object?[] { "can1", 0x285L, 3L, "", 1436509052_249715_000L }, frames[1]);
        Assert.Equal(new object?[] { "can0", 0x7FFL, 0L, "", 1436509052_249717_000L }, frames[2]);

        var events = temp.Query("SELECT message FROM events WHERE kind = 'Malformed' ORDER BY id").Select(r => (string)r[0]!).ToArray();
        Assert.Equal(3, events.Length);
        Assert.StartsWith($"{log}:2: ", events[0]);
        Assert.StartsWith($"{log}:4: ", events[1]);
        Assert.StartsWith($"{log}:5: ", events[2]);
    }

    [Fact]
    public async Task Error_frames_in_a_log_are_stored_but_not_announced_as_bus_errors_of_this_capture()
    {
        using var temp = new TempFolder();
        var log = temp.File("errors.log");
        File.WriteAllLines(log,
        [
            "(1436509052.249713) can0 123#DEADBEEF",
            "(1436509052.249714) can0 20000080#0000000000000000",
            "(1436509052.249715) can0 20000004#0004000000000000",
            "(1436509052.249716) can0 124#01",
        ]);
        using var journal = FrameJournal.Open(new StoreSettings { Path = temp.Database });
        using (var pipeline = new CapturePipeline(journal, [new ReplaySource("replay0", new ReplaySettings { Path = log })],
                   new PipelineSettings(), NullLoggerFactory.Instance, TimeProvider.System))
        {
            pipeline.Start();
            await pipeline.SourcesFinished.WaitAsync(TimeSpan.FromSeconds(30));
            pipeline.Stop();
            Assert.Equal(2, pipeline.SourceContexts[0].Counters.ErrorFrames);
        }

        // Stored as the frames they are...
        Assert.Equal(2L, temp.Scalar("SELECT count(*) FROM frames WHERE flags & 4"));
        // ...but this capture received no bus error: the log recorded them on some bus, some time ago.
        Assert.Equal(0L, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'BusError'"));
        var recorded = temp.Query("SELECT kind, source, count, message FROM events WHERE kind = 'ReplayedErrorFrames'");
        var row = Assert.Single(recorded);
        Assert.Equal(new object?[] { "ReplayedErrorFrames", "replay0", 2L }, row[..3]);
        var message = (string)row[3]!;
        Assert.DoesNotContain("received from the CAN controller", message);
        Assert.Contains("replayed log", message);
    }

    [Fact]
    public void A_looping_replay_with_retiming_keeps_time_moving_forward()
    {
        using var temp = new TempFolder();
        var log = temp.File("short.log");
        File.WriteAllLines(log, Enumerable.Range(0, 100).Select(i => $"(10.{i * 1000:D6}) can0 123#{i:X2}"));
        using var journal = FrameJournal.Open(new StoreSettings { Path = temp.Database });
        using (var pipeline = new CapturePipeline(journal, [new ReplaySource("replay0", new ReplaySettings { Path = log, Loop = true, Retime = true })],
                   new PipelineSettings(), NullLoggerFactory.Instance, TimeProvider.System))
        {
            pipeline.Start();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (journal.CommittedSeq < 500 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            pipeline.Stop();
        }
        var stamps = temp.Query("SELECT ts_ns FROM frames ORDER BY seq").Select(r => (long)r[0]!).ToArray();
        Assert.True(stamps.Length >= 500);
        Assert.True(stamps.Zip(stamps.Skip(1)).All(p => p.Second > p.First), "retimed loops must not go back in time");
        // Retimed to now, not to the log's 10 s after the epoch.
        Assert.True(stamps[0] > DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds() * 1_000_000);
    }
}
