using System.Text.RegularExpressions;
using CanMesh.Capture.Sources.SocketCan;
using CanMesh.Capture.Tests.Infrastructure;

namespace CanMesh.Capture.Tests;

/// <summary>
/// A socketcan source that cannot open its interface yet: what the running capture says (once, with the fix)
/// and does (waits and retries, and is no failure of the process). This machine's kernel has no AF_CAN, so the
/// executable meets that case for real here; tests/vm covers a real SocketCAN kernel with vcan interfaces.
/// </summary>
public sealed partial class SocketCanUnavailableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [NoSocketCanFact]
    public void A_kernel_without_socketcan_is_said_once_with_the_fix_while_the_source_keeps_retrying()
    {
        using var temp = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "can0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "socketcan",
            ["CANMESH_CAPTURE__INTERFACES__0__RETRYINTERVAL"] = "100ms",
            ["CANMESH_CAPTURE__STATS__INTERVAL"] = "200ms",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using var capture = CaptureProcess.Start(environment);
        // Ten stats lines 200 ms apart saying the source waits: about twenty retries 100 ms apart have happened.
        Assert.True(capture.WaitForOutput(stdout => WaitingStatsLine().Count(stdout) >= 10, Timeout),
            "no ten stats lines of a waiting can0:\n" + capture.Output);

        // Said once: the stats lines repeat the source's state (waiting, and why), the fix is given one time.
        var said = capture.Stdout.Split('\n').Where(l => l.Contains("modprobe", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(said);
        Assert.Contains("can0: this kernel has no SocketCAN (socket(AF_CAN, SOCK_RAW, CAN_RAW) failed: EAFNOSUPPORT (Address family not supported by protocol)). " +
            "Load it with `sudo modprobe can-raw` (and `sudo modprobe vcan` for virtual interfaces", line);
        Assert.Contains("Retrying every 0.1 s", line);
        // The interface name is not to blame for what a missing module causes.
        Assert.DoesNotContain("no such interface", capture.Output);
        Assert.False(capture.HasExited, "the capture stopped although its source only waits:\n" + capture.Output);

        capture.Terminate();
        Assert.True(capture.WaitForExit(Timeout), "did not exit after SIGTERM:\n" + capture.Output);
        // Waiting for a module is not a failure of the process: a supervisor has nothing to restart.
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
        var recorded = Assert.Single(temp.Query("SELECT message FROM events WHERE kind = 'InterfaceDown' AND source = 'can0'"));
        Assert.Contains("this kernel has no SocketCAN", (string)recorded[0]!);
        Assert.Contains("sudo modprobe can-raw", (string)recorded[0]!);
    }

    // A real kernel tells a missing interface apart from a missing module; this one cannot (no AF_CAN, so no CAN
    // interface at all), so the wording for real kernels is checked where it is made.
    [Fact]
    public void A_missing_interface_is_named_with_how_to_check_or_create_it()
    {
        var missing = InterfaceUnavailable.From("can7", 19 /* ENODEV */, "if_nametoindex");
        Assert.NotNull(missing);
        Assert.Equal(UnavailableCause.NoSuchInterface, missing.Cause);
        Assert.Equal("no such interface (ENODEV (No such device))", missing.Reason);
        Assert.Contains("Check the name (`ip link show type can`", missing.Advice);
        Assert.Contains("`sudo ip link add dev can7 type vcan`", missing.Advice);

        var down = InterfaceUnavailable.From("can1", 100 /* ENETDOWN */, "bind (interface state)");
        Assert.NotNull(down);
        Assert.Equal(UnavailableCause.InterfaceDown, down.Cause);
        Assert.Contains("`sudo ip link set can1 up type can bitrate 500000`", down.Advice);

        // Anything else is a fault of the source, not a state to wait out.
        Assert.Null(InterfaceUnavailable.From("can0", 92 /* ENOPROTOOPT */, "CAN_RAW_FD_FRAMES"));
    }

    [GeneratedRegex(@"stats can0 \(socketcan, waiting\)")]
    private static partial Regex WaitingStatsLine();
}
