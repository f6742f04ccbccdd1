using System.Net.Sockets;
using CanMesh.Client;

namespace CanMesh.Capture.Tests.Api;

/// <summary>The API's socket file: made where asked, with its mode, never taking a live server's, gone after a clean stop.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SocketFileTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_missing_folder_is_created_the_mode_applied_and_the_socket_removed_on_a_clean_stop()
    {
        using var folder = new TempFolder();
        var socket = Path.Combine(folder.Path, "run", "canmesh", "capture.sock");
        var environment = Environment(folder, socket, ("CANMESH_API__SOCKETMODE", "0600"));
        using var capture = await CaptureServing.StartAndWaitAsync(environment, socket);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));

        capture.Terminate();
        Assert.True(await capture.WaitForExitAsync(Timeout), capture.Output);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
        Assert.False(File.Exists(socket), "the socket file outlived a clean stop");
    }

    [Fact]
    public async Task A_second_capture_does_not_take_a_live_servers_socket()
    {
        using var folder = new TempFolder();
        using var other = new TempFolder();
        using var first = await CaptureServing.StartAndWaitAsync(Environment(folder, folder.Socket), folder.Socket);

        // Another capture (own database) pointed at the same socket by mistake.
        using var second = CaptureProcess.Start(Environment(other, folder.Socket));

        Assert.True(await second.WaitForExitAsync(Timeout), second.Output);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("another server is listening on it", second.Output);
        Assert.DoesNotContain("   at ", second.Output); // one clear line, no stack trace
        await using var client = new CaptureClient(folder.Socket);
        Assert.True((await client.GetStatsAsync()).Store.CommittedSeq >= 0, "the first capture still serves");
    }

    [Fact]
    public async Task A_regular_file_in_the_way_is_left_alone_and_named()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Socket, "somebody's notes");

        using var capture = CaptureProcess.Start(Environment(folder, folder.Socket));

        Assert.True(await capture.WaitForExitAsync(Timeout), capture.Output);
        Assert.NotEqual(0, capture.ExitCode);
        Assert.Contains("a regular file with content is in the way", capture.Output);
        Assert.Equal("somebody's notes", File.ReadAllText(folder.Socket));
    }

    [Fact]
    public async Task An_unknown_socket_group_fails_the_start_with_the_setting_named()
    {
        using var folder = new TempFolder();

        using var capture = CaptureProcess.Start(Environment(folder, folder.Socket, ("CANMESH_API__SOCKETGROUP", "no-such-group-canmesh")));

        Assert.True(await capture.WaitForExitAsync(Timeout), capture.Output);
        Assert.NotEqual(0, capture.ExitCode);
        Assert.Contains("SocketGroup 'no-such-group-canmesh'", capture.Output);
    }

    [Fact]
    public async Task The_loopback_tcp_port_serves_the_same_api()
    {
        using var folder = new TempFolder();
        var port = FreePort();
        using var capture = await CaptureServing.StartAndWaitAsync(Environment(folder, folder.Socket, ("CANMESH_API__TCPPORT", port.ToString())), folder.Socket);

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var stats = await new Protos.V1.Capture.CaptureClient(channel).GetStatsAsync(new Protos.V1.GetStatsRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal("sim0", Assert.Single(stats.Sources).Name);
    }

    [Fact]
    public async Task With_the_api_disabled_the_capture_runs_without_a_socket_and_stops_cleanly()
    {
        using var folder = new TempFolder();
        var environment = Environment(folder, folder.Socket, ("CANMESH_API__ENABLED", "false"));
        using var capture = CaptureProcess.Start(environment);

        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(folder.Database) || folder.Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'frames'") == 0 || folder.Scalar("SELECT count(*) FROM frames") < 100)
        {
            Assert.False(capture.HasExited, capture.Output);
            Assert.True(DateTime.UtcNow < deadline, "no frames committed");
            await Task.Delay(50);
        }
        Assert.False(File.Exists(folder.Socket));

        capture.Terminate();
        Assert.True(await capture.WaitForExitAsync(Timeout), capture.Output);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
        Assert.Equal(folder.Scalar("SELECT count FROM events WHERE kind = 'Stopped'"), folder.Scalar("SELECT count(*) FROM frames"));
    }

    private static Dictionary<string, string> Environment(TempFolder folder, string socket, params (string Key, string Value)[] more)
    {
        var variables = new CaptureEnvironment(folder).Sim("sim0", 1000).Variables.ToDictionary();
        variables["CANMESH_API__SOCKETPATH"] = socket;
        foreach (var (key, value) in more) variables[key] = value;
        return variables;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
