using System.Net.Sockets;
using CanMesh.Cli.Tests.Live.Infrastructure;

namespace CanMesh.Cli.Tests.Live;

/// <summary>canmesh health: exit 0 or 1 and one line, fast enough for a container's HEALTHCHECK.</summary>
[Collection(RunningCaptureCollection.Name)]
public sealed class HealthTests(RunningCapture capture)
{
    [Fact]
    public async Task A_running_capture_is_healthy()
    {
        var health = await Canmesh.RunAsync(capture.SocketPath, "health");

        Assert.True(health.ExitCode == 0, health.Output);
        var line = Assert.Single(Output.Lines(health.Stdout));
        Assert.Matches(@"^healthy: 1 of 2 sources running, committed seq \d+$", line);
        Assert.Equal("", health.Stderr);
    }

    [Fact]
    public async Task No_socket_is_unhealthy()
    {
        var missing = Path.Combine(Path.GetTempPath(), "cm-none-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        var health = await Canmesh.RunAsync(missing, "health", "--timeout", "1s");

        Assert.Equal(1, health.ExitCode);
        var line = Assert.Single(Output.Lines(health.Stdout));
        Assert.StartsWith($"unhealthy: cannot reach the capture service at {missing}: no socket there", line, StringComparison.Ordinal);
        Output.AssertNoStackTrace(health);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_unhealthy_connection_refused()
    {
        using var folder = new TempFolder();
        // What a capture that was killed leaves behind: the socket file, and nothing accepting on it. Bound but not
        // listening (and kept open: .NET deletes the file when the socket that bound it closes).
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(folder.Socket));
        var health = await Canmesh.RunAsync(folder.Socket, "health", "--timeout", "2s");

        Assert.Equal(1, health.ExitCode);
        var line = Assert.Single(Output.Lines(health.Stdout));
        Assert.True(line.StartsWith($"unhealthy: cannot reach the capture service at {folder.Socket}: connection refused", StringComparison.Ordinal), line);
        Output.AssertNoStackTrace(health);
    }
}
