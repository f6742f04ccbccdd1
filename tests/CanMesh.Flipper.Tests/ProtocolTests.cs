using System.Text.RegularExpressions;
using CanMesh.Flipper.Tests.Infrastructure;

namespace CanMesh.Flipper.Tests;

/// <summary>
/// The line protocol against a real pty pair with a fake Flipper on the other end; no capture service runs, so the
/// STATS lines say capture=down with zeros.
/// </summary>
public sealed partial class ProtocolTests
{
    [Fact]
    public async Task Nothing_is_sent_before_INIT_and_the_ACK_carries_label_and_ip()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));
        // Anything the service wrote before INIT is in the fake's input ahead of the ACK; its log is waited on so
        // the service has been running past a STATS interval, the capture found down, before the INIT goes out.
        FlipperRun.WaitForLog(flipper, "[301]", 1, "the capture service down");

        fake.SendLine("INIT:flipper");
        await fake.WaitForLineAsync(StatsLine.IsStats, "a STATS line after INIT");
        var lines = fake.Lines;
        Assert.Matches(AckLine(), lines[0]);
        Assert.StartsWith($"ACK:{FlipperEnvironment.Label},ip=", lines[0], StringComparison.Ordinal);
        var ip = lines[0].Split("ip=")[1];

        var stats = StatsLine.Parse(lines[1]);
        Assert.Equal(["ip", "total", "pending", "processed", "rate", "ifaces", "drops", "fwd", "capture"], stats.Order);
        Assert.Equal(ip, stats["ip"]);
        Assert.Equal("down", stats["capture"]);
        Assert.Equal(0UL, stats.Total);

        // STATS keep coming every interval.
        await fake.WaitForLineAsync(StatsLine.IsStats, "a third STATS line", after: 3);
        await FlipperRun.StopAsync(flipper);
    }

    [Fact]
    public async Task STOP_silences_the_service_until_the_next_INIT()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));

        fake.SendLine("INIT:flipper");
        await fake.WaitForLineAsync(StatsLine.IsStats, "STATS after INIT", after: 1);
        fake.SendLine("STOP:flipper");
        FlipperRun.WaitForLog(flipper, "[401] STOP", 1, "the STOP");
        // A line may have been on its way when the STOP arrived; after the log line, nothing more comes, which is
        // shown by the next INIT's ACK following the last STATS directly, with ten intervals of quiet before it.
        var quietFrom = fake.Lines.Count;
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(quietFrom, fake.Lines.Count);

        fake.SendLine("INIT:flipper");
        var (_, ack) = await fake.WaitForLineAsync(l => l.StartsWith("ACK:", StringComparison.Ordinal), "the second ACK", after: quietFrom - 1);
        Assert.Equal(quietFrom, ack);
        await fake.WaitForLineAsync(StatsLine.IsStats, "STATS after the second INIT", after: ack);
        await FlipperRun.StopAsync(flipper);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("pending")]
    public async Task Stale_bytes_garbage_binary_and_wrong_case_are_survived(string readMode)
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        // Sent while nobody has the service's end open: stale once the service opens it, not to be answered.
        fake.SendLine("INIT:flipper");
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket).Set("CANMESH_FLIPPER__READMODE", readMode));

        var noise = new byte[4096];
        new Random(7).NextBytes(noise);
        fake.Send(noise.Select(b => b == (byte)'\n' ? (byte)'x' : b).ToArray());
        fake.Send("\nhello\r\nINIT\r\n"[..^2]); // a partial INIT line, then no newline yet...
        fake.Send("IALIZE:flipper\r\n");       // ...completed into another word: not a command
        fake.Send("\0\0\xff\r\n\r\n:::\n=STATS\n");
        fake.Send("init:FLIPPER\r\n");
        await fake.WaitForLineAsync(StatsLine.IsStats, "STATS after the wrong-case INIT");
        var lines = fake.Lines;
        Assert.Single(lines, l => l.StartsWith("ACK:", StringComparison.Ordinal));
        Assert.StartsWith("ACK:", lines[0], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.DoesNotContain('\r', l));
        Assert.False(flipper.HasExited, flipper.Output);
        await FlipperRun.StopAsync(flipper);
    }

    [Fact]
    public async Task An_overlong_line_is_dropped_with_bounded_memory_and_INIT_still_works()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'A');

        // A first overlong line and a session warm the service up (JIT, the GC's first heaps, the port's I/O thread)...
        for (var i = 0; i < 16; i++) fake.Send(chunk);
        fake.Send("INIT:flipper\n"); // the end of the overlong line: its INIT is not a command
        fake.Send("INIT:flipper\n");
        var (_, index) = await fake.WaitForLineAsync(StatsLine.IsStats, "STATS after the INIT that followed the overlong line");
        FlipperRun.WaitForLog(flipper, "[403]", 1, "the overlong line");
        var before = flipper.ResidentBytes();

        // ...then 16 MiB without a newline, far more than any buffer the service may keep, while STATS go out.
        for (var i = 0; i < 256; i++) fake.Send(chunk);
        fake.Send("STOP:flipper\n"); // again the overlong line's end: the session goes on
        await fake.WaitForLineAsync(StatsLine.IsStats, "STATS after the second overlong line", after: index + 5);
        FlipperRun.WaitForLog(flipper, "[403]", 2, "the second overlong line");
        var after = flipper.ResidentBytes();
        Assert.True(after - before < 16L * 1024 * 1024, $"RSS grew from {before >> 20} MiB to {after >> 20} MiB while 16 MiB of one line came in");
        Assert.True(after < 256L * 1024 * 1024, $"RSS is {after >> 20} MiB");
        Assert.Single(fake.Lines, l => l.StartsWith("ACK:", StringComparison.Ordinal));
        Assert.DoesNotContain("[401]", flipper.Output, StringComparison.Ordinal);
        await FlipperRun.StopAsync(flipper);
    }

    [GeneratedRegex(@"^ACK:testpi,ip=\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex AckLine();
}
