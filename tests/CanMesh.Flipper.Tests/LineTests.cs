using System.Text;
using CanMesh.Flipper.Protocol;
using CanMesh.Flipper.Status;
using CanMesh.Flipper.Uart;
using CanMesh.Protos.V1;

namespace CanMesh.Flipper.Tests;

/// <summary>The line splitter, the command parser and the STATS format in-process, on the cases the pty tests cannot aim at exactly.</summary>
public sealed class LineTests
{
    private static List<string> Split(LineSplitter splitter, params string[] pieces)
    {
        var lines = new List<string>();
        foreach (var piece in pieces) splitter.Feed(Encoding.Latin1.GetBytes(piece), lines.Add);
        return lines;
    }

    [Fact]
    public void Lines_split_across_reads_lose_one_CR_and_control_bytes_become_question_marks()
    {
        var lines = Split(new LineSplitter(64), "IN", "IT:flip", "per\r", "\n\x01\xff\r\r\nSTOP\n", "partial");
        Assert.Equal(["INIT:flipper", "???", "STOP"], lines);
    }

    [Fact]
    public void An_overlong_line_is_dropped_through_its_newline_and_the_next_line_is_whole()
    {
        var splitter = new LineSplitter(16);
        var lines = Split(splitter, new string('x', 10), new string('y', 10), "INIT:flipper\nINIT:flipper\n");
        Assert.Equal(["INIT:flipper"], lines);
        Assert.Equal(1, splitter.OverlongLines);
        // Exactly the cap is still a line.
        Assert.Equal([new string('z', 16)], Split(splitter, new string('z', 16) + "\n"));
    }

    [Theory]
    [InlineData("INIT:flipper", "Init")]
    [InlineData("init:FLIPPER", "Init")]
    [InlineData("  Init : flipper ", "Init")]
    [InlineData("INIT", "Init")]
    [InlineData("STOP:flipper", "Stop")]
    [InlineData("stop", "Stop")]
    [InlineData("INITIALIZE:flipper", "Unknown")]
    [InlineData("STATS:ip=1.2.3.4", "Unknown")]
    [InlineData("", "Unknown")]
    [InlineData("?INIT:flipper", "Unknown")]
    public void Commands_are_read_case_insensitively_by_their_word(string line, string expected) =>
        Assert.Equal(expected, FlipperCommand.Parse(line).ToString());

    [Fact]
    public void STATS_start_with_the_four_fields_of_the_old_tool_and_keep_names_from_breaking_the_line()
    {
        var stats = new Stats
        {
            Store = new StoreStats { CommittedSeq = 1000, StoreDrops = 1, Subscribers = { new SubscriberStats { Name = "forwarder", AckedSeq = 400, Connected = true } } },
            Sources =
            {
                new SourceStats { Name = "can0", State = "running", FramesPerSecond = 99.6, KernelDrops = 2, QueueDrops = 3 },
                new SourceStats { Name = "a,b=c", State = "faulted", FramesPerSecond = 0.3 },
            },
        };
        var line = StatusLines.Stats("10.0.0.7", CaptureStatus.From(stats, "forwarder"));
        Assert.Equal("STATS:ip=10.0.0.7,total=1000,pending=600,processed=400,rate=100,ifaces=can0:running;a_b_c:faulted,drops=6,fwd=connected,capture=up", line);

        var down = StatusLines.Stats("10.0.0.7", CaptureStatus.From(stats, "other").Down());
        Assert.Equal("STATS:ip=10.0.0.7,total=1000,pending=1000,processed=0,rate=0,ifaces=can0:running;a_b_c:faulted,drops=6,fwd=none,capture=down", down);
        Assert.Equal("STATS:ip=0.0.0.0,total=0,pending=0,processed=0,rate=0,ifaces=none,drops=0,fwd=none,capture=down",
            StatusLines.Stats("0.0.0.0", CaptureStatus.Unknown));
        Assert.Equal("ACK:pi,ip=10.0.0.7", StatusLines.Ack("pi", "10.0.0.7"));
    }

    [Fact]
    public void A_session_sends_STATS_on_schedule_from_INIT_until_STOP()
    {
        var session = new FlipperSession(TimeSpan.FromSeconds(1));
        Assert.False(session.StatsDue(0));
        Assert.Equal(FlipperCommandKind.Init, session.Handle("INIT:flipper", 100));
        Assert.True(session.StatsDue(100));
        Assert.False(session.StatsDue(1099));
        Assert.True(session.StatsDue(1100));
        // Late by several intervals: one line, not a burst.
        Assert.True(session.StatsDue(5000));
        Assert.False(session.StatsDue(5500));
        session.Handle("STOP:flipper", 5600);
        Assert.False(session.StatsDue(10_000));
    }
}
