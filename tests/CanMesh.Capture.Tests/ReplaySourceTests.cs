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
    public void Control_characters_in_a_replayed_log_reach_the_terminal_and_the_events_table_only_escaped()
    {
        using var temp = new TempFolder();
        // The file name carries an ESC too: the replay source prints its path in its own log lines and events.
        var log = temp.File("garbage\u001b[5m.log");
        File.WriteAllBytes(log,
        [
            .. "(1436509052.249713) can0 123#DEADBEEF\n"u8,
            .. "\u001b]0;owned\u0007\u001b[2J\u0000\u0000"u8, 0xFF, (byte)'\n',
            .. "(1436509052.249714) can0 12#\u0007\u0007\n"u8,
        ]);
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "replay0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__0__PATH"] = log,
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using (var capture = CaptureProcess.Start(environment))
        {
            Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), capture.Output);
            Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
            var output = capture.Output;
            Assert.Contains(@"garbage\e[5m.log:2: line does not start with '(': expected '(<seconds>.<microseconds>) <interface> <frame>': \e]0;owned\a\e[2J\0\0\xFF", output);
            Assert.Contains(@"garbage\e[5m.log:3: id must have 3 (standard) or 8 (extended) hex digits: (1436509052.249714) can0 12#\a\a", output);
            Assert.Contains(@"garbage\e[5m.log read 1 frames, skipped 2 malformed lines", output); // the pass summary
            // Colours are off (ServiceLogging), so any ESC, BEL or NUL in the output would have come from the log.
            Assert.DoesNotContain(output, c => c is '\u001b' or '\u0007' or '\0' or '\uFFFD');
        }

        var events = temp.Query("SELECT message FROM events WHERE kind = 'Malformed' ORDER BY id").Select(r => (string)r[0]!).ToArray();
        Assert.Equal(2, events.Length);
        Assert.EndsWith(@"\e]0;owned\a\e[2J\0\0\xFF", events[0]);
        Assert.EndsWith(@"12#\a\a", events[1]);
        Assert.All(events, e => Assert.DoesNotContain(e, c => char.IsControl(c) || c == '\uFFFD'));
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
