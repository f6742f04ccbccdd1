using CanMesh.Client;
using CanMesh.Flipper.Tests.Infrastructure;

namespace CanMesh.Flipper.Tests;

/// <summary>STATS numbers from a real capture service over its socket, through a replay, a forwarder's watermark and a capture restart.</summary>
public sealed class CaptureStatsTests
{
    private const ulong ReplayFrames = 12_974;
    private static readonly string ReplayLog = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");

    [Fact]
    public async Task STATS_carry_the_replayed_total_and_the_forwarder_watermark()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var capture = await CaptureServing.StartAndWaitAsync(new CaptureEnvironment(folder).Replay("can0", ReplayLog).Variables, folder.Socket);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));
        string Describe() => $"flipper:\n{flipper.Output}\ncapture:\n{capture.Output}";

        fake.SendLine("INIT:flipper");
        // No forwarder has subscribed: nothing is in PostgreSQL, everything stored is pending.
        var (line, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s.Total == ReplayFrames && s["capture"] == "up"),
            $"STATS with total={ReplayFrames}, capture=up", context: Describe);
        var stats = StatsLine.Parse(line);
        Assert.Equal(ReplayFrames, stats.Pending);
        Assert.Equal(0UL, stats.Processed);
        Assert.Equal("none", stats["fwd"]);
        Assert.Equal("0", stats["drops"]);
        Assert.Matches("^can0:(running|finished)$", stats["ifaces"]);

        // A subscriber under the forwarder's name takes part of the capture: shown as connected...
        const ulong acked = 5_000;
        await using var client = new CaptureClient(folder.Socket);
        await using (var forwarder = client.Subscribe(new SubscriptionOptions { Subscriber = "forwarder", From = SubscriptionStart.Resume, Retain = true }))
        {
            while (forwarder.DeliveredSeq < acked) await forwarder.ReadAsync();
            (_, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["fwd"] == "connected"),
                "STATS with fwd=connected", after: index, context: Describe);
            // ...and acknowledges through seq 5000; disposing sends the last ack and waits for the service to store it.
            forwarder.Ack(acked);
        }
        // Its watermark is what PostgreSQL holds: processed, the rest pending; gone, it is shown disconnected.
        (line, _) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s.Processed == acked && s["fwd"] == "disconnected"),
            $"STATS with processed={acked}, fwd=disconnected", after: index, context: Describe);
        stats = StatsLine.Parse(line);
        Assert.Equal(ReplayFrames, stats.Total);
        Assert.Equal(ReplayFrames - acked, stats.Pending);

        // The service's own live subscriber is in the capture's stats, not retaining.
        var subscribers = (await client.GetStatsAsync()).Store.Subscribers;
        var own = Assert.Single(subscribers, s => s.Name == "flipper");
        Assert.True(own.Connected);
        Assert.False(own.Retains);
        await FlipperRun.StopAsync(flipper);
    }

    [Fact]
    public async Task Capture_killed_STATS_go_on_marked_down_and_resume_when_it_is_back()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        var recording = new CaptureEnvironment(folder).Sim("can0", framesPerSecond: 200);
        var captures = new List<CaptureProcess> { await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket) };
        try
        {
            using var fake = new FakeFlipper(pty.FlipperEnd);
            using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));
            string Describe() => $"flipper:\n{flipper.Output}\n" + string.Join("\n", captures.Select((c, i) => $"capture {i + 1}:\n{c.Output}"));

            fake.SendLine("INIT:flipper");
            var (line, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "up" && s.Total > 0 && s["rate"] != "0"),
                "STATS with frames moving", context: Describe);
            Assert.Equal("can0:running", StatsLine.Parse(line)["ifaces"]);

            // The flipper's live subscriber keeps up: the capture lists it with a watermark that moves.
            await using (var client = new CaptureClient(folder.Socket))
            {
                await WaitForAsync(async () => (await client.GetStatsAsync()).Store.Subscribers.Any(s => s.Name == "flipper" && s.Connected && s.AckedSeq > 0),
                    () => $"the capture lists subscriber flipper acknowledging\n{Describe()}");
            }

            captures[^1].KillHard();
            (line, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "down"),
                "STATS with capture=down", after: index, context: Describe);
            var down = StatsLine.Parse(line);
            Assert.True(down.Total > 0, "the last known total is kept while the capture is down");
            Assert.Equal("0", down["rate"]);
            // Several intervals later the session is still on and still down.
            (_, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "down"), "more STATS while down", after: index + 3);
            FlipperRun.WaitForLog(flipper, "[301]", 1, "the capture service down");

            captures.Add(await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket));
            (line, _) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "up" && s.Total > down.Total),
                $"STATS with capture=up and a total past {down.Total}", after: index, context: Describe);
            Assert.Equal(1, FlipperRun.Occurrences(flipper.Output, "[301]"));
            Assert.Equal(2, FlipperRun.Occurrences(flipper.Output, "[300]"));
            await FlipperRun.StopAsync(flipper);
        }
        finally
        {
            foreach (var capture in captures) capture.Dispose();
        }
    }

    [Fact]
    public async Task A_frozen_capture_is_shown_down_after_a_few_silent_intervals_and_up_when_it_thaws()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var capture = await CaptureServing.StartAndWaitAsync(new CaptureEnvironment(folder).Sim("can0", framesPerSecond: 100).Variables, folder.Socket);
        using var fake = new FakeFlipper(pty.FlipperEnd);
        using var flipper = FlipperRun.StartAndWaitOpen(new FlipperEnvironment(pty.PiEnd, folder.Socket));
        string Describe() => $"flipper:\n{flipper.Output}\ncapture:\n{capture.Output}";
        fake.SendLine("INIT:flipper");
        var (_, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "up"), "STATS with capture=up", context: Describe);

        // SIGSTOP: the socket still accepts and the stream stays open, but nothing comes.
        Signal(capture.Id, "STOP");
        try
        {
            (_, index) = await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "down"),
                "STATS with capture=down while the capture is frozen", after: index, context: Describe);
            Assert.Contains("no stats for", flipper.Output, StringComparison.Ordinal);
        }
        finally
        {
            Signal(capture.Id, "CONT");
        }
        await fake.WaitForLineAsync(l => StatsLine.TryMatch(l, s => s["capture"] == "up"), "STATS with capture=up after the thaw", after: index, context: Describe);
        await FlipperRun.StopAsync(flipper);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + FakeFlipper.Generous;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out: {describe()}");
            await Task.Delay(100);
        }
    }
}
