using CanMesh.Flipper.Tests.Infrastructure;

namespace CanMesh.Flipper.Tests;

/// <summary>The device missing at the start, unplugged and plugged in again: one log line per change, a new INIT needed.</summary>
public sealed class DeviceTests
{
    [Theory]
    [InlineData("poll")]
    [InlineData("pending")]
    public async Task Unplugged_and_replugged_the_device_is_reopened_silent_until_a_new_INIT(string readMode)
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder);
        using var flipper = FlipperProcess.Start(new FlipperEnvironment(pty.PiEnd, folder.Socket).Set("CANMESH_FLIPPER__READMODE", readMode).Variables);
        using (var fake = new FakeFlipper(pty.FlipperEnd))
        {
            FlipperRun.WaitForOpens(flipper, 1);
            fake.SendLine("INIT:flipper");
            await fake.WaitForLineAsync(StatsLine.IsStats, "STATS before the unplug", after: 1);
            pty.Unplug();
        }
        FlipperRun.WaitForLog(flipper, "[203] Lost", 1, "the device lost");
        FlipperRun.WaitForLog(flipper, "[201] Waiting", 1, "waiting for the device");
        // Many reopen delays pass while it is away; the log says it once.
        await Task.Delay(TimeSpan.FromSeconds(2));

        pty.Plug();
        using var replugged = new FakeFlipper(pty.FlipperEnd);
        FlipperRun.WaitForOpens(flipper, 2);
        Assert.Equal(1, FlipperRun.Occurrences(flipper.Output, "[201] Waiting"));
        Assert.Equal(1, FlipperRun.Occurrences(flipper.Output, "[203] Lost"));

        replugged.SendLine("INIT:flipper");
        await replugged.WaitForLineAsync(StatsLine.IsStats, $"STATS after the replug\n{flipper.Output}");
        Assert.StartsWith("ACK:", replugged.Lines[0], StringComparison.Ordinal);
        await FlipperRun.StopAsync(flipper);
    }

    [Fact]
    public async Task A_device_missing_at_the_start_is_waited_for_with_one_log_line()
    {
        using var folder = new TempFolder();
        using var pty = new PtyPair(folder, plugged: false);
        using var flipper = FlipperProcess.Start(new FlipperEnvironment(pty.PiEnd, folder.Socket).Variables);
        FlipperRun.WaitForLog(flipper, "[201] Waiting", 1, "waiting for the device");
        await Task.Delay(TimeSpan.FromSeconds(2));

        pty.Plug();
        using var fake = new FakeFlipper(pty.FlipperEnd);
        FlipperRun.WaitForOpens(flipper, 1);
        fake.SendLine("INIT:flipper");
        await fake.WaitForLineAsync(StatsLine.IsStats, $"STATS once the device appeared\n{flipper.Output}");
        Assert.Equal(1, FlipperRun.Occurrences(flipper.Output, "[201] Waiting"));
        await FlipperRun.StopAsync(flipper);
    }

    [Fact]
    public async Task SIGTERM_while_waiting_for_the_device_exits_0()
    {
        using var folder = new TempFolder();
        using var flipper = FlipperProcess.Start(new FlipperEnvironment(folder.File("nothing"), folder.Socket).Variables);
        FlipperRun.WaitForLog(flipper, "[201] Waiting", 1, "waiting for the device");
        await FlipperRun.StopAsync(flipper);
        Assert.Contains("[101] Stopped", flipper.Stdout, StringComparison.Ordinal);
    }
}
